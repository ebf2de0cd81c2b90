// observer.cpp - observers whose stored callback captures their owner.
//   * Button keeps a cyc::Function built with cyc::closure: the collector sees the captured
//     handle, so the cycle is collectable and collect() frees it.
//   * LegacyButton keeps a std::function whose lambda captures the owner: the edge is hidden
//     from the collector, so no collection ever frees it (a true leak). With CYC_REPORT set,
//     the final report at exit lists it among the objects still alive.
// Expected: both capture-cycle findings; Button's is CONFIRMED, LegacyButton's is reported
// alive at exit.
#include <cstdio>
#include <functional>
#include <string>

#include <cyc/cyc.h>

namespace confirm {

struct Button {
  std::string label;
  int clicks = 0;
  cyc::Function<void()> on_click;
  CYC_TRACE(on_click)
};

struct LegacyButton {
  std::string label;
  int clicks = 0;
  std::function<void()> on_click;  // opaque: no trace hook can see into it
};

void wire() {
  auto button = cyc::make<Button>();
  button->label = "ok";
  button->on_click = cyc::closure([](cyc::Handle<Button>& self) { ++self->clicks; }, button);
  button->on_click();
}

void wire_legacy() {
  auto legacy = cyc::make<LegacyButton>();
  legacy->label = "cancel";
  legacy->on_click = [legacy] { ++legacy->clicks; };
  legacy->on_click();
}

}  // namespace confirm

int main() {
  confirm::wire();
  confirm::wire_legacy();
  std::printf("collect() found %zu\n", cyc::gc::collect());
  return 0;
}
