// Suppressions.h - `// cyclops: ignore(rule-id)` on the reported line silences a finding.
#pragma once

#include <vector>

#include "rules/Finding.h"

namespace cyclops {

// Drops the findings whose reported line says `cyclops: ignore(ID, ...)` naming their rule
// (`cycle-type` or `cyclops-cycle-type`; `*` names every rule). Returns how many it dropped.
unsigned applySuppressions(std::vector<Finding> &Findings);

}  // namespace cyclops
