// device_config_test.cpp - CYC_DEVICE and CYC_DEVICE_CAPACITY: what is accepted, and that a
// bad value is a clear error naming the variable, both from the parser and from the process's
// allocator (each of those runs in a fresh child process, before anything made the allocator).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include <cyc/cyc.h>

#include "device/backend.h"
#include "device/config.h"

namespace {

namespace d = cyc::device::detail;
using cyc::device::ConfigError;

constexpr std::size_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

// Sets an environment variable for the scope, restoring the old value after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) setenv(name, value, 1);
    else unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) setenv(name_, old_->c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

template <class F>
ConfigError config_error(F f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "no ConfigError";
  return ConfigError("", "", "");
}

TEST(DeviceConfig, DeviceChoicesAreCudaHostOrAuto) {
  EXPECT_EQ(d::parse_device("cuda"), d::DeviceChoice::kCuda);
  EXPECT_EQ(d::parse_device("host"), d::DeviceChoice::kHost);
  EXPECT_EQ(d::parse_device("auto"), d::DeviceChoice::kAuto);
  EXPECT_EQ(d::parse_device(" CUDA "), d::DeviceChoice::kCuda);
  EXPECT_EQ(d::parse_device("Host"), d::DeviceChoice::kHost);
  EXPECT_EQ(d::parse_device(""), d::DeviceChoice::kAuto);
}

TEST(DeviceConfig, ABadDeviceIsAnErrorNamingTheVariable) {
  for (const char* bad : {"gpu", "cuda0", "cuda:1", "hosts", "none", "1"}) {
    const ConfigError e = config_error([&] { d::parse_device(bad); });
    EXPECT_EQ(e.variable(), "CYC_DEVICE");
    EXPECT_EQ(e.value(), bad);
    EXPECT_EQ(std::string(e.what()), "CYC_DEVICE='" + std::string(bad) + "': expected cuda, host or auto");
  }
}

TEST(DeviceConfig, CapacitiesTakeBinaryAndDecimalUnits) {
  EXPECT_EQ(d::parse_capacity("64MiB"), 64 * MiB);
  EXPECT_EQ(d::parse_capacity("64 MiB"), 64 * MiB);
  EXPECT_EQ(d::parse_capacity(" 64mib "), 64 * MiB);
  EXPECT_EQ(d::parse_capacity("64M"), 64 * MiB);
  EXPECT_EQ(d::parse_capacity("1.5GiB"), GiB + GiB / 2);
  EXPECT_EQ(d::parse_capacity("2G"), 2 * GiB);
  EXPECT_EQ(d::parse_capacity("512K"), 512 * KiB);
  EXPECT_EQ(d::parse_capacity("0.5KiB"), 512u);
  EXPECT_EQ(d::parse_capacity("1TiB"), 1024 * GiB);
  EXPECT_EQ(d::parse_capacity("1048576"), MiB);
  EXPECT_EQ(d::parse_capacity("100B"), 100u);
  EXPECT_EQ(d::parse_capacity("1kB"), 1000u);
  EXPECT_EQ(d::parse_capacity("64MB"), 64000000u);
  EXPECT_EQ(d::parse_capacity("2GB"), 2000000000u);
  EXPECT_EQ(d::parse_capacity(".5MiB"), MiB / 2);
}

TEST(DeviceConfig, ABadCapacityIsAnErrorNamingTheVariableAndWhy) {
  const struct {
    const char* value;
    const char* why;
  } cases[] = {
      {"lots", "not a number"},
      {"", "empty"},
      {"MiB", "not a number"},
      {"-1", "not a number"},
      {"0", "must be at least 1 byte"},
      {"0MiB", "must be at least 1 byte"},
      {"0.1B", "must be at least 1 byte"},
      {"64 MiBs", "unknown unit 'MiBs'"},
      {"64 parsecs", "unknown unit 'parsecs'"},
      {"1.2.3", "unknown unit '.3'"},
      {"99999999999999999999", "too large"},
      {"20000000TiB", "too large"},
  };
  for (const auto& c : cases) {
    const ConfigError e = config_error([&] { d::parse_capacity(c.value); });
    EXPECT_EQ(e.variable(), "CYC_DEVICE_CAPACITY");
    EXPECT_EQ(e.value(), c.value);
    const std::string m = e.what();
    EXPECT_EQ(m.rfind("CYC_DEVICE_CAPACITY='" + std::string(c.value) + "': " + c.why, 0), 0u) << m;
    EXPECT_NE(m.find("expected a size such as 64MiB"), std::string::npos) << m;
  }
}

TEST(DeviceConfig, TheEnvironmentIsReadWhenAsked) {
  {
    ScopedEnv dev("CYC_DEVICE", nullptr), cap("CYC_DEVICE_CAPACITY", nullptr);
    const d::Config c = d::config_from_env();
    EXPECT_EQ(c.device, d::DeviceChoice::kAuto);
    EXPECT_FALSE(c.capacity);
  }
  {
    ScopedEnv dev("CYC_DEVICE", "host"), cap("CYC_DEVICE_CAPACITY", "8MiB");
    const d::Config c = d::config_from_env();
    EXPECT_EQ(c.device, d::DeviceChoice::kHost);
    EXPECT_EQ(c.capacity, 8 * MiB);
  }
  {
    ScopedEnv dev("CYC_DEVICE", ""), cap("CYC_DEVICE_CAPACITY", "  ");
    const d::Config c = d::config_from_env();
    EXPECT_EQ(c.device, d::DeviceChoice::kAuto);
    EXPECT_FALSE(c.capacity) << "an empty capacity means none";
  }
  {
    ScopedEnv dev("CYC_DEVICE", "gpu");
    EXPECT_EQ(config_error([] { d::config_from_env(); }).variable(), "CYC_DEVICE");
  }
  {
    ScopedEnv cap("CYC_DEVICE_CAPACITY", "lots");
    EXPECT_EQ(config_error([] { d::config_from_env(); }).variable(), "CYC_DEVICE_CAPACITY");
  }
}

// ---- the process's allocator (fresh child processes) --------------------------------------

class DeviceConfigProcess : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(DeviceConfigProcess, ABadDeviceMakesEveryCallThrowUntilItIsFixed) {
  EXPECT_EXIT(
      {
        setenv("CYC_DEVICE", "gpu", 1);
        int caught = 0;
        try {
          cyc::device::backend();
        } catch (const ConfigError& e) {
          std::fprintf(stderr, "%s\n", e.what());
          ++caught;
        }
        try {
          cyc::device::empty(16);
        } catch (const ConfigError&) {
          ++caught;
        }
        setenv("CYC_DEVICE", "host", 1);  // fixed: the next call makes the allocator
        const bool fixed = cyc::device::backend() == "host" && cyc::device::empty(16)->size() == 16;
        std::exit(caught == 2 && fixed ? 42 : 1);
      },
      ::testing::ExitedWithCode(42), "CYC_DEVICE='gpu': expected cuda, host or auto");
}

TEST_F(DeviceConfigProcess, ABadCapacityMakesEveryCallThrow) {
  EXPECT_EXIT(
      {
        setenv("CYC_DEVICE_CAPACITY", "lots", 1);
        try {
          cyc::device::memory_allocated();
        } catch (const ConfigError& e) {
          std::fprintf(stderr, "%s\n", e.what());
          std::exit(e.variable() == "CYC_DEVICE_CAPACITY" ? 42 : 1);
        }
        std::exit(1);
      },
      ::testing::ExitedWithCode(42), "CYC_DEVICE_CAPACITY='lots': not a number");
}

TEST_F(DeviceConfigProcess, TheHostBackendWithACapacityRunsOutThere) {
  EXPECT_EXIT(
      {
        setenv("CYC_DEVICE", "host", 1);
        setenv("CYC_DEVICE_CAPACITY", "8MiB", 1);
        if (cyc::device::backend() != "host" || cyc::device::capacity() != 8 * MiB) std::exit(1);
        if (!cyc::device::backend_note().empty()) std::exit(2);  // chosen, not fallen back to
        auto a = cyc::device::empty(6 * MiB);
        try {
          cyc::device::empty(4 * MiB);
        } catch (const cyc::device::OutOfMemory& e) {
          std::fprintf(stderr, "%s\n", e.what());
          std::exit(42);
        }
        std::exit(3);
      },
      ::testing::ExitedWithCode(42), "capacity 8.00 MiB, 6.00 MiB allocated");
}

TEST_F(DeviceConfigProcess, CudaWhereItIsNotUsableIsAnErrorSayingWhy) {
  const d::CudaApi* cuda = d::cudart_api();
  if (cuda && d::cuda_unusable_reason(*cuda).empty()) GTEST_SKIP() << "CUDA is usable here";
  EXPECT_EXIT(
      {
        setenv("CYC_DEVICE", "cuda", 1);
        try {
          cyc::device::backend();
        } catch (const ConfigError& e) {
          std::fprintf(stderr, "%s\n", e.what());
          std::exit(42);
        }
        std::exit(1);
      },
      ::testing::ExitedWithCode(42), "CYC_DEVICE=cuda, but CUDA is not usable: ");
}

TEST_F(DeviceConfigProcess, AutoFallsBackToTheHostBackendAndSaysWhy) {
  const d::CudaApi* cuda = d::cudart_api();
  if (cuda && d::cuda_unusable_reason(*cuda).empty()) GTEST_SKIP() << "CUDA is usable here: auto takes it";
  EXPECT_EXIT(
      {
        unsetenv("CYC_DEVICE");
        if (cyc::device::backend() != "host") std::exit(1);
        std::fprintf(stderr, "%s\n", cyc::device::backend_note().c_str());
        std::exit(42);
      },
      ::testing::ExitedWithCode(42), "CUDA is not usable \\(.*\\); using the host backend");
}

}  // namespace
