#include "shapes/label.h"

int main() {
  auto l = std::make_shared<shapes::Label>();
  l->next = l;
  return l->text.empty() ? 0 : 1;
}
