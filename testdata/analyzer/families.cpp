// The other handle families of rules/default.yaml, through minimal stand-ins for their
// libraries: boost, Qt and Chromium handles form cycles the same way; their weak handles
// do not.
namespace boost {
template <class T> class shared_ptr { T* p = nullptr; };
template <class T> class weak_ptr { T* p = nullptr; };
template <class T> class intrusive_ptr { T* p = nullptr; };
}  // namespace boost
template <class T> class QSharedPointer { T* p = nullptr; };
template <class T> class QWeakPointer { T* p = nullptr; };
template <class T> class scoped_refptr { T* p = nullptr; };
namespace base {
template <class T> class WeakPtr { T* p = nullptr; };
}  // namespace base

namespace fam {

struct BoostB;
struct BoostA {
  boost::shared_ptr<BoostB> b;
};
struct BoostB {
  boost::shared_ptr<BoostA> a;  // expected-warning {{cycle-type: fam::BoostA.b -> fam::BoostB.a -> (fam::BoostA)}}
};

struct Intrusive {
  boost::intrusive_ptr<Intrusive> next;
  boost::intrusive_ptr<Intrusive> parent;  // expected-warning {{cycle-type: fam::Intrusive.next -> fam::Intrusive.parent -> (fam::Intrusive)}}
};

struct QtChild;
struct QtParent {
  QSharedPointer<QtChild> child;
};
struct QtChild {
  QSharedPointer<QtParent> owner;  // expected-warning {{cycle-type: fam::QtParent.child -> fam::QtChild.owner -> (fam::QtParent)}}
};
struct QtGood {
  QSharedPointer<QtGood> next;
  QWeakPointer<QtGood> prev;
};

struct Frame;
struct Document {
  scoped_refptr<Frame> frame;
};
struct Frame {
  scoped_refptr<Document> document;  // expected-warning {{cycle-type: fam::Document.frame -> fam::Frame.document -> (fam::Document)}}
};
struct View;
struct Controller {
  scoped_refptr<View> view;
};
struct View {
  base::WeakPtr<Controller> controller;
  boost::weak_ptr<Controller> also_weak;
};

}  // namespace fam
