// cyc_report_writer_test.cpp - the CYC_REPORT file: the JSON of its records, the file's behaviour
// (whole lines from many threads, one message on stderr when it cannot be written), and what
// a process running with it set writes: cycle records with their owners, reasons, collection
// numbers and waiting times, and the final collection and "alive" records at exit.
//
// The report is settled before main() runs, so main() below re-executes this binary with
// CYC_REPORT naming a fresh file when it is not set already. Records are told apart by pid
// and by type names unique to each test, so the suite also passes when CYC_REPORT is shared.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <cyc/cyc.h>

#include "cyc_report_writer.h"
#include "json_string.h"

namespace rft {

struct Node {
  cyc::Handle<Node> next;
  CYC_TRACE(next)
};

struct Base {
  virtual ~Base() = default;
  cyc::Handle<Base> next;
  CYC_TRACE(next)
};
struct Derived : Base {
  int extra = 0;
};

// A member held by value whose own hook names the field.
struct Link {
  cyc::Handle<> to;
  CYC_TRACE(to)
};
struct Outer {
  Link link;
  CYC_TRACE(link)
};

struct Gadget {  // owns "device" memory, for the byte counts
  std::size_t cyc_device_bytes() const { return 12345; }
};

struct Holder {
  cyc::Handle<Node> held;
  cyc::Handle<Holder> self;
  CYC_TRACE(held, self)
};

struct Aged {
  cyc::Handle<Aged> next;
  CYC_TRACE(next)
};
struct Auto {
  cyc::Handle<Auto> next;
  CYC_TRACE(next)
};
struct Numbered {
  cyc::Handle<Numbered> next;
  CYC_TRACE(next)
};
struct Spin {
  cyc::Handle<Spin> next;
  CYC_TRACE(next)
};

// Exit tests: a destructor or a callback that runs ends the child with its own status.
struct Doomed {
  cyc::Handle<Doomed> next;
  ~Doomed() { std::_Exit(99); }
  CYC_TRACE(next)
};
struct Legacy {  // a cycle through std::function: invisible to the collector
  std::function<void()> fn;
  std::size_t cyc_device_bytes() const { return 1000; }
};
struct Trigger {
  cyc::Handle<Trigger> next;
  CYC_TRACE(next)
};

}  // namespace rft

namespace {

namespace gc = cyc::gc;
using cyc::detail::AliveRecord;
using cyc::detail::CycleRecord;
using cyc::detail::ReportFile;

// ---- a small, strict JSON reader, to check that every line is whole and well formed -----

struct Json {
  enum Kind { kNull, kBool, kNumber, kString, kArray, kObject } kind = kNull;
  bool boolean = false;
  std::string text;  // a string's value, a number's digits
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> fields;

  const Json* find(std::string_view key) const {
    for (auto& [k, v] : fields)
      if (k == key) return &v;
    return nullptr;
  }
  const Json& operator[](std::string_view key) const {
    static const Json null;
    const Json* v = find(key);
    return v ? *v : null;
  }
  std::string str() const { return kind == kString ? text : "<not a string>"; }
  std::uint64_t num() const { return kind == kNumber ? std::stoull(text) : ~std::uint64_t{0}; }
};

class JsonReader {
 public:
  static std::optional<Json> parse(std::string_view s) {
    JsonReader r(s);
    Json v;
    if (!r.value(v)) return std::nullopt;
    r.ws();
    if (r.i_ != s.size()) return std::nullopt;
    return v;
  }

 private:
  explicit JsonReader(std::string_view s) : s_(s) {}
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool lit(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  bool string(std::string& out) {
    if (!lit("\"")) return false;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) return false;
      char e = s_[i_++];
      switch (e) {
        case '"': case '\\': case '/': out += e; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (i_ + 4 > s_.size()) return false;
          unsigned cp = std::stoul(std::string(s_.substr(i_, 4)), nullptr, 16);
          i_ += 4;
          out += cp < 0x80 ? std::string(1, static_cast<char>(cp)) : "\\u" + std::to_string(cp);
          break;
        }
        default: return false;
      }
    }
    return false;
  }
  bool value(Json& v) {
    ws();
    if (i_ >= s_.size()) return false;
    char c = s_[i_];
    if (c == '{') {
      v.kind = Json::kObject;
      ++i_;
      ws();
      if (lit("}")) return true;
      do {
        ws();
        std::string key;
        if (!string(key)) return false;
        ws();
        if (!lit(":")) return false;
        Json item;
        if (!value(item)) return false;
        v.fields.emplace_back(std::move(key), std::move(item));
        ws();
      } while (lit(","));
      return lit("}");
    }
    if (c == '[') {
      v.kind = Json::kArray;
      ++i_;
      ws();
      if (lit("]")) return true;
      do {
        Json item;
        if (!value(item)) return false;
        v.items.push_back(std::move(item));
        ws();
      } while (lit(","));
      return lit("]");
    }
    if (c == '"') {
      v.kind = Json::kString;
      return string(v.text);
    }
    if (lit("true") || lit("false")) {
      v.kind = Json::kBool;
      v.boolean = s_[i_ - 1] == 'e' && s_[i_ - 2] == 'u';
      return true;
    }
    if (lit("null")) return true;
    std::size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    if (i_ == start || (s_[start] == '-' && i_ == start + 1)) return false;
    v.kind = Json::kNumber;
    v.text = std::string(s_.substr(start, i_ - start));
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

// ---- the report this process writes ----------------------------------------------------

std::string report_path() {
  const char* p = std::getenv("CYC_REPORT");
  return p ? p : "";
}

std::string slurp(const std::string& path, std::uintmax_t from = 0) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(from));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string::npos) {
      lines.push_back(text.substr(at) + "<no newline>");
      break;
    }
    lines.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  return lines;
}

// The records appended to the report since construction; every one must be whole JSON.
class ReportTail {
 public:
  ReportTail() : path_(report_path()), from_(std::filesystem::file_size(path_)) {}

  std::vector<Json> records() const {
    std::vector<Json> out;
    std::vector<std::string> lines = split_lines(slurp(path_, from_));
    // In a report shared with other processes, the last line may be one being written.
    const char* owned = std::getenv("CYC_REPORT_FILE_TEST_OWNS");
    if ((!owned || !*owned) && !lines.empty() && lines.back().ends_with("<no newline>")) lines.pop_back();
    for (const std::string& line : lines) {
      std::optional<Json> j = JsonReader::parse(line);
      EXPECT_TRUE(j && j->kind == Json::kObject) << "not a JSON object: " << line;
      if (j) out.push_back(std::move(*j));
    }
    return out;
  }

  // Cycle records whose path starts at `type` (from any process when pid is 0).
  std::vector<Json> cycles(const std::string& type, long pid = ::getpid()) const {
    std::vector<Json> out;
    for (Json& j : records())
      if (j["record"].str() == "cycle" && (pid == 0 || j["pid"].num() == static_cast<std::uint64_t>(pid)) &&
          !j["path"].items.empty() && j["path"].items[0]["type"].str() == type)
        out.push_back(std::move(j));
    return out;
  }

 private:
  std::string path_;
  std::uintmax_t from_;
};

std::string path_of(const Json& record) {
  std::string out;
  for (const Json& step : record["path"].items)
    out += step["type"].str() + "." + step["field"].str() + "@" + step["owner"].str() + " ";
  return out;
}

// Collector defaults for each test: automatic collection off (tests say when), nothing left.
class Reporting : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(cyc::detail::report_file(), nullptr) << "this suite runs with CYC_REPORT set (see main)";
    gc::disable();
    gc::collect();
  }
  void TearDown() override {
    gc::set_threshold(700, 10, 10);
    gc::enable();
  }
};

using std::chrono::milliseconds;

// ---- the records' JSON -------------------------------------------------------------------

TEST(ReportJson, StringsAreEscapedAndValidUtf8) {
  using cyc::detail::json_string;
  EXPECT_EQ(json_string("cyc::Handle<>"), "\"cyc::Handle<>\"");
  EXPECT_EQ(json_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(json_string("x\ny\t\x01"), "\"x\\ny\\t\\u0001\"");
  EXPECT_EQ(json_string("\xc3\xa9t\xc3\xa9"), "\"\xc3\xa9t\xc3\xa9\"");  // "été" stays as it is
  EXPECT_EQ(json_string("a\xff" "b\xc3"), "\"a\\ufffdb\\ufffd\"");       // malformed bytes do not
  EXPECT_EQ(json_string("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // nor does a surrogate
}

TEST(ReportJson, CycleRecordHasTheDocumentedShape) {
  gc::Cycle c;
  c.path = {{"app::Derived", "next", "app::Base"}, {"std::vector<cyc::Handle<>>", "", ""}};
  c.objects = 3;
  c.host_bytes = 96;
  c.device_bytes = 4194304;
  CycleRecord r;
  r.collection = 7;
  r.reason = cyc::detail::Reason::kAutomatic;
  r.generation = 1;
  r.cycle = &c;
  r.waited_ns = 1234567;
  r.waited_collections = 2;
  EXPECT_EQ(cyc::detail::format_cycle_record(42, r),
            "{\"record\":\"cycle\",\"pid\":42,\"collection\":7,\"reason\":\"automatic\",\"generation\":1,"
            "\"path\":[{\"type\":\"app::Derived\",\"field\":\"next\",\"owner\":\"app::Base\"},"
            "{\"type\":\"std::vector<cyc::Handle<>>\",\"field\":\"\",\"owner\":\"std::vector<cyc::Handle<>>\"}],"
            "\"objects\":3,\"host_bytes\":96,\"device_bytes\":4194304,\"waited_ns\":1234567,"
            "\"waited_collections\":2}");
  r.reason = cyc::detail::Reason::kExit;
  EXPECT_NE(cyc::detail::format_cycle_record(42, r).find("\"reason\":\"exit\""), std::string::npos);
}

TEST(ReportJson, AVeryLongPathIsCutAndSaysHowLongItWas) {
  gc::Cycle c;
  c.path.assign(cyc::detail::kMaxPathSteps + 5, gc::Edge{"app::Node", "next", "app::Node"});
  CycleRecord r;
  r.cycle = &c;
  std::optional<Json> j = JsonReader::parse(cyc::detail::format_cycle_record(1, r));
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)["path"].items.size(), cyc::detail::kMaxPathSteps);
  EXPECT_EQ((*j)["path_length"].num(), cyc::detail::kMaxPathSteps + 5);
  c.path.resize(cyc::detail::kMaxPathSteps);
  j = JsonReader::parse(cyc::detail::format_cycle_record(1, r));
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)["path"].items.size(), cyc::detail::kMaxPathSteps);
  EXPECT_EQ(j->find("path_length"), nullptr);
}

TEST(ReportJson, AliveRecordHasTheDocumentedShape) {
  AliveRecord a{"app::Session", 2, 128, 0};
  EXPECT_EQ(cyc::detail::format_alive_record(1234, a),
            "{\"record\":\"alive\",\"pid\":1234,\"type\":\"app::Session\",\"objects\":2,\"host_bytes\":128,"
            "\"device_bytes\":0}");
}

// ---- the file ----------------------------------------------------------------------------

std::filesystem::path scratch(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("cyc_report_file_test." + std::to_string(::getpid()) + "." + name);
}

TEST(ReportFile, UnopenablePathSaysSoOnceOnStderr) {
  const std::string path = (scratch("no-such-dir") / "report.jsonl").string();
  testing::internal::CaptureStderr();
  ReportFile f(path);
  f.append("{}");
  f.append("{}");
  EXPECT_FALSE(f.ok());
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "cyc: CYC_REPORT: cannot open '" + path + "': No such file or directory (no report is written)\n");
}

TEST(ReportFile, AFailedWriteSaysSoOnceOnStderr) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  testing::internal::CaptureStderr();
  ReportFile f("/dev/full");
  EXPECT_TRUE(f.ok());
  f.append("{\"record\":\"cycle\"}");
  f.append("{\"record\":\"cycle\"}");
  EXPECT_FALSE(f.ok());
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "cyc: CYC_REPORT: cannot write '/dev/full': No space left on device (no report is written)\n");
}

TEST(ReportFile, AppendsToWhatIsThere) {
  const std::string path = scratch("append.jsonl").string();
  { std::ofstream(path) << "{\"earlier\":1}\n"; }
  {
    ReportFile f(path);
    f.append("{\"later\":2}");
  }
  EXPECT_EQ(slurp(path), "{\"earlier\":1}\n{\"later\":2}\n");
  std::filesystem::remove(path);
}

TEST(ReportFile, ThreadsWriteOnlyWholeLines) {
  const std::string path = scratch("threads.jsonl").string();
  constexpr int kThreads = 8, kLines = 300;
  {
    ReportFile f(path);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&f, t] {
        for (int i = 0; i < kLines; ++i) {
          // Lengths up to several pages, so that a torn write would show.
          std::string pad(static_cast<std::size_t>((i * 7919 + t * 104729) % 9000), static_cast<char>('a' + t));
          f.append("{\"t\":" + std::to_string(t) + ",\"i\":" + std::to_string(i) + ",\"pad\":\"" + pad + "\"}");
        }
      });
    for (auto& th : threads) th.join();
    EXPECT_TRUE(f.ok());
  }
  std::set<std::pair<std::uint64_t, std::uint64_t>> seen;
  for (const std::string& line : split_lines(slurp(path))) {
    std::optional<Json> j = JsonReader::parse(line);
    ASSERT_TRUE(j) << "torn line: " << line.substr(0, 80);
    std::uint64_t t = (*j)["t"].num();
    EXPECT_EQ((*j)["pad"].str().find_first_not_of(static_cast<char>('a' + t)), std::string::npos);
    EXPECT_TRUE(seen.emplace(t, (*j)["i"].num()).second);
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kThreads * kLines));
  std::filesystem::remove(path);
}

// ---- what a collection writes ------------------------------------------------------------

TEST_F(Reporting, ASelfCycleIsOneRecord) {
  ReportTail tail;
  {
    auto n = cyc::make<rft::Node>();
    n->next = n;
  }
  EXPECT_EQ(gc::collect(), 1u);
  std::vector<Json> got = tail.cycles("rft::Node");
  ASSERT_EQ(got.size(), 1u);
  const Json& r = got[0];
  EXPECT_EQ(r["reason"].str(), "explicit");
  EXPECT_EQ(r["generation"].num(), 2u);
  EXPECT_EQ(path_of(r), "rft::Node.next@rft::Node ");
  EXPECT_EQ(r["objects"].num(), 1u);
  EXPECT_EQ(r["host_bytes"].num(), cyc::detail::type_info_v<rft::Node>.alloc_size);
  EXPECT_EQ(r["device_bytes"].num(), 0u);
  EXPECT_GE(r["collection"].num(), 1u);
  EXPECT_EQ(r["waited_collections"].num(), 0u);
  EXPECT_NE(r.find("waited_ns"), nullptr);
}

TEST_F(Reporting, AnInheritedFieldNamesTheClassThatDeclaresIt) {
  ReportTail tail;
  {
    cyc::Handle<rft::Derived> d = cyc::make<rft::Derived>();
    d->next = d;
  }
  EXPECT_EQ(gc::collect(), 1u);
  std::vector<Json> got = tail.cycles("rft::Derived");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(path_of(got[0]), "rft::Derived.next@rft::Base ");
}

TEST_F(Reporting, AFieldOfAMemberHeldByValueNamesThatMembersClass) {
  ReportTail tail;
  {
    auto o = cyc::make<rft::Outer>();
    o->link.to = o;
  }
  EXPECT_EQ(gc::collect(), 1u);
  std::vector<Json> got = tail.cycles("rft::Outer");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(path_of(got[0]), "rft::Outer.to@rft::Link ");
}

TEST_F(Reporting, AListThatContainsItselfHasTheTidyTypeName) {
  ReportTail tail;
  {
    auto li = cyc::make<std::vector<cyc::Handle<>>>();
    li->push_back(cyc::make<rft::Gadget>());
    li->push_back(li);
  }
  EXPECT_EQ(gc::collect(), 1u);
  std::vector<Json> got = tail.cycles("std::vector<cyc::Handle<>>");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(path_of(got[0]), "std::vector<cyc::Handle<>>.@std::vector<cyc::Handle<>> ");
  EXPECT_EQ(got[0]["objects"].num(), 2u) << "the list and the gadget only it held";
  EXPECT_EQ(got[0]["device_bytes"].num(), 12345u);
}

TEST_F(Reporting, WaitingIsTimedFromTheLastDropNotTheFirst) {
  ReportTail tail;
  auto a = cyc::make<rft::Node>();
  auto b = cyc::make<rft::Node>();
  a->next = b;
  b->next = a;
  {
    auto copy_a = a;  // drops that leave the counts non-zero: both become candidates
    auto copy_b = b;
  }
  std::this_thread::sleep_for(milliseconds(400));
  a.reset();  // the drops that make the cycle unreachable, of objects already candidates
  b.reset();
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(gc::collect(), 2u);
  std::vector<Json> got = tail.cycles("rft::Node");
  ASSERT_EQ(got.size(), 1u);
  const std::uint64_t waited = got[0]["waited_ns"].num();
  EXPECT_GE(waited, 50'000'000u);
  EXPECT_LT(waited, 400'000'000u) << "timed from the first drop";
}

TEST_F(Reporting, WaitingCountsFromWhenWhatReachesTheCycleWasDropped) {
  ReportTail tail;
  auto a = cyc::make<rft::Node>();
  auto b = cyc::make<rft::Node>();
  a->next = b;
  b->next = a;
  auto h = cyc::make<rft::Holder>();
  h->self = h;
  h->held = a;
  { auto copy = h; }  // h is a candidate from here on
  a.reset();          // the cycle a <-> b is still reachable, through h
  b.reset();
  std::this_thread::sleep_for(milliseconds(400));
  h.reset();  // now it is not
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(gc::collect(), 3u);
  std::vector<Json> nodes = tail.cycles("rft::Node");
  std::vector<Json> holders = tail.cycles("rft::Holder");
  ASSERT_EQ(nodes.size(), 1u);
  ASSERT_EQ(holders.size(), 1u);
  EXPECT_EQ(holders[0]["objects"].num(), 1u);
  EXPECT_EQ(nodes[0]["objects"].num(), 2u);
  for (const Json* r : {&nodes[0], &holders[0]}) {
    EXPECT_GE((*r)["waited_ns"].num(), 50'000'000u) << path_of(*r);
    EXPECT_LT((*r)["waited_ns"].num(), 400'000'000u) << path_of(*r);
  }
}

TEST_F(Reporting, WaitedCollectionsCountsTheCollectionsInBetween) {
  ReportTail tail;
  auto a = cyc::make<rft::Aged>();
  a->next = a;
  { auto copy = a; }  // a candidate, so that the next collection examines it
  gc::collect();      // a survives: it is old now, and young collections stop at it
  a.reset();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(gc::collect(0), 0u);
  EXPECT_EQ(gc::collect(), 1u);
  std::vector<Json> got = tail.cycles("rft::Aged");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["waited_collections"].num(), 3u);
}

TEST_F(Reporting, CollectionsAreNumberedInOrder) {
  ReportTail tail;
  for (int i = 0; i < 3; ++i) {
    {
      auto n = cyc::make<rft::Numbered>();
      n->next = n;
    }
    EXPECT_EQ(gc::collect(), 1u);
    gc::collect();  // finds nothing, but counts
  }
  std::vector<Json> got = tail.cycles("rft::Numbered");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1]["collection"].num(), got[0]["collection"].num() + 2);
  EXPECT_EQ(got[2]["collection"].num(), got[1]["collection"].num() + 2);
}

TEST_F(Reporting, AutomaticCollectionsSaySo) {
  ReportTail tail;
  gc::set_threshold(1);
  gc::enable();
  {
    auto n = cyc::make<rft::Auto>();
    n->next = n;
  }  // one candidate: the next tracked allocation collects generation 0
  auto other = cyc::make<rft::Node>();
  gc::disable();
  std::vector<Json> got = tail.cycles("rft::Auto");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["reason"].str(), "automatic");
  EXPECT_EQ(got[0]["generation"].num(), 0u);
}

TEST_F(Reporting, CollectionsOnManyThreadsWriteWholeRecords) {
  ReportTail tail;
  constexpr int kThreads = 4, kRounds = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([] {
      for (int i = 0; i < kRounds; ++i) {
        {
          auto n = cyc::make<rft::Spin>();
          n->next = n;
        }
        gc::collect();
      }
    });
  for (auto& th : threads) th.join();
  std::vector<Json> got = tail.cycles("rft::Spin");  // every line parses, or records() says so
  EXPECT_EQ(got.size(), static_cast<std::size_t>(kThreads * kRounds)) << "each cycle found exactly once";
}

// ---- at exit -----------------------------------------------------------------------------

class AtExit : public Reporting {
 protected:
  void SetUp() override {
    Reporting::SetUp();
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

// In the child: garbage whose destructor would end it with 99, a callback that would end it
// with 98, three objects in a std::function cycle, then exit(7).
[[noreturn]] void leave_things_behind() {
  gc::add_callback([](const gc::CollectReport&) { std::_Exit(98); });
  {
    auto d = cyc::make<rft::Doomed>();
    d->next = d;
  }
  for (int i = 0; i < 3; ++i) {
    auto l = cyc::make<rft::Legacy>();
    l->fn = [l] {};
  }
  std::exit(7);
}

TEST_F(AtExit, TheFinalCollectionReportsGarbageAndTheRestIsListedAlive) {
  ReportTail tail;
  EXPECT_EXIT(leave_things_behind(), ::testing::ExitedWithCode(7), "")
      << "99: a destructor of garbage ran at exit; 98: a callback did";
  std::vector<Json> doomed = tail.cycles("rft::Doomed", 0);
  ASSERT_EQ(doomed.size(), 1u);
  const Json& r = doomed[0];
  const std::uint64_t child = r["pid"].num();
  EXPECT_NE(child, static_cast<std::uint64_t>(::getpid()));
  EXPECT_EQ(r["reason"].str(), "exit");
  EXPECT_EQ(r["generation"].num(), 2u);
  EXPECT_EQ(path_of(r), "rft::Doomed.next@rft::Doomed ");

  int legacy_lines = 0;
  for (const Json& j : tail.records()) {
    if (j["record"].str() != "alive" || j["pid"].num() != child) continue;
    EXPECT_NE(j["type"].str(), "rft::Doomed") << "reported as garbage, so not alive";
    if (j["type"].str() != "rft::Legacy") continue;
    ++legacy_lines;
    EXPECT_EQ(j["objects"].num(), 3u);
    EXPECT_EQ(j["host_bytes"].num(), 3 * cyc::detail::type_info_v<rft::Legacy>.alloc_size);
    EXPECT_EQ(j["device_bytes"].num(), 3000u);
  }
  EXPECT_EQ(legacy_lines, 1);
}

[[noreturn]] void exit_from_a_callback() {
  gc::add_callback([](const gc::CollectReport& r) {
    if (!r.cycles.empty()) std::exit(5);
  });
  {
    auto t = cyc::make<rft::Trigger>();
    t->next = t;
  }
  gc::collect();
  std::_Exit(1);
}

TEST_F(AtExit, ExitFromInsideACollectionSkipsTheFinalReport) {
  ReportTail tail;
  EXPECT_EXIT(exit_from_a_callback(), ::testing::ExitedWithCode(5), "");
  std::vector<Json> got = tail.cycles("rft::Trigger", 0);
  ASSERT_EQ(got.size(), 1u) << "the collection that ran the callback wrote its record first";
  EXPECT_EQ(got[0]["reason"].str(), "explicit");
  for (const Json& j : tail.records())
    if (j["pid"].num() == got[0]["pid"].num()) {
      EXPECT_NE(j["reason"].str(), "exit");
    }
}

}  // namespace

// The report is settled before main(): without CYC_REPORT, run again with it set.
int main(int argc, char** argv) {
  const char* set = std::getenv("CYC_REPORT");
  if (!set || !*set) {
    const std::string path =
        (std::filesystem::temp_directory_path() / ("cyc_report_file_test." + std::to_string(::getpid()) + ".jsonl"))
            .string();
    ::setenv("CYC_REPORT", path.c_str(), 1);
    ::setenv("CYC_REPORT_FILE_TEST_OWNS", "1", 1);
    ::execv("/proc/self/exe", argv);
    std::perror("report_file_test: cannot run itself again");
    return 2;
  }
  testing::InitGoogleTest(&argc, argv);
  const int status = RUN_ALL_TESTS();
  // The file goes; records still written at exit land in the unlinked file.
  const char* owns = std::getenv("CYC_REPORT_FILE_TEST_OWNS");
  if (owns && *owns && !testing::internal::InDeathTestChild()) std::filesystem::remove(set);
  return status;
}
