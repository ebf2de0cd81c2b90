// bad_use_test.cpp - misuse that the runtime turns into a clear fatal error instead of
// undefined behaviour: dereferencing a null handle, a handle to a base class its one word
// cannot reach, collecting from inside a trace hook, and touching handles from inside a trace
// hook.
#include <gtest/gtest.h>

#include <string>

#include <cyc/cyc.h>

// Global names, so the messages below can be matched exactly.
struct BadNode {
  std::string name;
  cyc::Handle<BadNode> next;
  CYC_TRACE(next)
};

namespace {

// A trace hook that calls collect().
struct CollectsInTrace {
  cyc::Handle<CollectsInTrace> next;
  void trace(cyc::Tracer& t) {
    t(next, "next");
    cyc::gc::collect();
  }
};

// A trace hook that copies a handle it visits (and so drops the copy again).
struct CopiesInTrace {
  cyc::Handle<CopiesInTrace> next;
  cyc::Handle<BadNode> child;
  void trace(cyc::Tracer& t) {
    t(next, "next");
    t(child, "child");
    cyc::Handle<BadNode> copy = child;  // forbidden
    (void)copy;
  }
};

// A trace hook that drops (resets) one of its own handles.
struct DropsInTrace {
  cyc::Handle<DropsInTrace> next;
  cyc::Handle<BadNode> child;
  void trace(cyc::Tracer& t) {
    t(next, "next");
    child.reset();  // forbidden
  }
};

class BadUseDeathTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(BadUseDeathTest, DereferencingANullHandleAborts) {
  cyc::Handle<BadNode> h;
  EXPECT_DEATH((void)(*h).name, "dereferenced a null cyc::Handle \\(BadNode\\)");
  EXPECT_DEATH((void)h->name, "dereferenced a null cyc::Handle \\(BadNode\\)");
  auto live = cyc::make<BadNode>("x");
  h = live;
  EXPECT_EQ(h->name, "x");
  h.reset();
  EXPECT_DEATH((void)h->next, "dereferenced a null cyc::Handle \\(BadNode\\)") << "reset, then dereferenced";
  cyc::Handle<std::string> s;
  EXPECT_DEATH((void)s->size(), "dereferenced a null cyc::Handle \\(std::string\\)");
}

// A base class that starts more than 64 KiB into its object: a Handle cannot refer to it.
struct FarAhead {
  char bytes[70000] = {};
};
struct FarBase {
  int value = 7;
};
struct FarObject : FarAhead, FarBase {};

TEST_F(BadUseDeathTest, AHandleToABaseBeyond64KiBAborts) {
  auto run = [] {
    cyc::Handle<FarObject> object = cyc::make<FarObject>();
    cyc::Handle<FarBase> base = object;
    (void)base;
  };
  EXPECT_DEATH(run(), "a cyc::Handle to a base class more than 64 KiB into its object \\(.*FarObject\\)");
}

TEST_F(BadUseDeathTest, CollectFromATraceHookAborts) {
  auto run = [] {
    {
      auto a = cyc::make<CollectsInTrace>();
      a->next = a;
    }
    cyc::gc::collect();
  };
  EXPECT_DEATH(run(), "cyc::gc::collect\\(\\) called from inside a trace hook");
}

TEST_F(BadUseDeathTest, CopyingAHandleInATraceHookAborts) {
  auto run = [] {
    {
      auto a = cyc::make<CopiesInTrace>();
      a->child = cyc::make<BadNode>("child");
      a->next = a;
    }
    cyc::gc::collect();
  };
  EXPECT_DEATH(run(), "a trace hook created, copied or dropped a handle");
}

TEST_F(BadUseDeathTest, DroppingAHandleInATraceHookAborts) {
  auto run = [] {
    auto shared = cyc::make<BadNode>("shared");
    {
      auto a = cyc::make<DropsInTrace>();
      a->child = shared;
      a->next = a;
    }
    cyc::gc::collect();
  };
  EXPECT_DEATH(run(), "trace hooks may only visit the handles they are given");
}

TEST_F(BadUseDeathTest, CorrectUseDoesNotAbort) {
  // The same shapes with well-behaved hooks: collected without complaint.
  {
    auto a = cyc::make<BadNode>("a");
    a->next = a;
  }
  EXPECT_EQ(cyc::gc::collect(), 1u);
}

}  // namespace

namespace {
// A hook that reports its edge only on its first call: to the collector this looks exactly
// like a traced field written while the collection examined the object.
struct Fickle {
  cyc::Handle<Fickle> next;
  int calls = 0;
  void trace(cyc::Tracer& t) {
    if (calls++ == 0) t(next, "next");
  }
};
}  // namespace

TEST_F(BadUseDeathTest, FieldChangedDuringACollectionAbortsInDebugBuilds) {
#ifdef NDEBUG
  GTEST_SKIP() << "the threading-contract check is compiled into debug builds of libcyc only";
#else
  auto run = [] {
    {
      auto a = cyc::make<Fickle>();
      a->next = a;
    }
    cyc::gc::collect();
  };
  EXPECT_DEATH(run(), "changed during the collection");
#endif
}
