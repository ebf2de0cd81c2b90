// missing-trace and untraced-field: the collector sees only what a trace hook visits.
#include <cyc/cyc.h>

#include <memory>
#include <vector>

namespace tr {

// expected-warning@+1 {{missing-trace: 'tr::NoHook' holds cyc handles (next) but has no trace hook}}
struct NoHook {
  cyc::Handle<NoHook> next;
};

struct Partial {
  cyc::Handle<Partial> a;
  std::vector<cyc::Handle<Partial>> b;  // expected-warning {{untraced-field: 'tr::Partial::b' holds cyc handles that CYC_TRACE does not visit}}
  CYC_TRACE(a)
};

// A member trace() and an ADL cyc_trace(): both complete.
struct MemberHook {
  cyc::Handle<MemberHook> x;
  void trace(cyc::Tracer& t) { t(x, "x"); }
};
struct AdlTraced {
  cyc::Handle<AdlTraced> h;
};
void cyc_trace(AdlTraced& v, cyc::Tracer& t) { t(v.h, "h"); }

// An ADL hook that forgets a field.
struct AdlPartial {
  cyc::Handle<AdlPartial> one;
  cyc::Handle<AdlPartial> two;  // expected-warning {{untraced-field: 'tr::AdlPartial::two' holds cyc handles that cyc_trace() does not visit}}
};
void cyc_trace(AdlPartial& v, cyc::Tracer& t) { t(v.one, "one"); }

// A derived class adds a handle; the hook it inherits cannot know.
struct Base {
  cyc::Handle<Base> link;
  CYC_TRACE(link)
};
struct Derived : Base {
  cyc::Handle<NoHook> extra;  // expected-warning {{untraced-field: 'tr::Derived::extra' holds cyc handles, but the CYC_TRACE that 'tr::Derived' inherits from 'tr::Base' cannot visit it}}
};
struct DerivedPlain : Base {
  int counter = 0;
};

// Handles held inside a member by value.
struct Inner {
  cyc::Handle<Inner> p;
  CYC_TRACE(p)
};
struct Outer {  // expected-warning {{missing-trace: 'tr::Outer' holds cyc handles (inner)}}
  Inner inner;
};

// Weak handles and other families are not traced.
struct WeakOnly {
  cyc::Weak<WeakOnly> w;
};
struct SharedOnly {
  std::shared_ptr<SharedOnly> s;
};

// A hook that calls a helper: what it visits is not judged.
struct Helper {
  cyc::Handle<Helper> a, b;
  void visit_all(cyc::Tracer& t) { t(a, "a"); t(b, "b"); }
  void trace(cyc::Tracer& t) { visit_all(t); }
};

}  // namespace tr
