// Rules files: the compiled-in defaults, extending and replacing them, and every kind of bad
// input reported with the file and line.
#include <gtest/gtest.h>

#include <algorithm>

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Path.h"

#include "ResourceDir.h"
#include "Rules.h"
#include "checks/Check.h"

namespace cyclops {
namespace {

RuleSet defaults() {
  auto R = defaultRules();
  EXPECT_TRUE(static_cast<bool>(R)) << (R ? "" : llvm::toString(R.takeError()));
  return R ? *R : RuleSet{};
}

std::string errorOf(llvm::StringRef Text) {
  auto R = parseRules(Text, "my-rules.yaml", defaults());
  if (R) return "";
  return llvm::toString(R.takeError());
}

TEST(Rules, DefaultsDescribeTheKnownHandlesAndRules) {
  RuleSet R = defaults();
  ASSERT_NE(R.strongFamily("cyc::Handle"), nullptr);
  EXPECT_TRUE(R.strongFamily("cyc::Handle")->Collector);
  EXPECT_EQ(R.weakFamily("cyc::Weak"), R.strongFamily("cyc::Handle"));
  for (const char *Strong : {"std::shared_ptr", "boost::shared_ptr", "boost::intrusive_ptr", "QSharedPointer",
                             "scoped_refptr"})
    EXPECT_NE(R.strongFamily(Strong), nullptr) << Strong;
  for (const char *Weak : {"std::weak_ptr", "boost::weak_ptr", "QWeakPointer", "base::WeakPtr"})
    EXPECT_NE(R.weakFamily(Weak), nullptr) << Weak;
  EXPECT_FALSE(R.strongFamily("std::shared_ptr")->Collector);
  EXPECT_TRUE(R.isOwner("std::vector"));
  EXPECT_TRUE(R.isOwner("std::optional"));
  EXPECT_TRUE(R.isPointerOwner("std::unique_ptr"));
  std::vector<std::string> Ids;
  for (const RuleInfo &Rule : R.Rules) Ids.push_back(Rule.Id);
  EXPECT_EQ(Ids, knownRuleIds());
  for (const RuleInfo &Rule : R.Rules) {
    EXPECT_FALSE(Rule.Summary.empty()) << Rule.Id;
    EXPECT_EQ(Rule.Level, Severity::Warning) << Rule.Id;
  }
  EXPECT_EQ(R.CycleType.MaxLength, 8u);
}

TEST(Rules, BackPointerNamesAreWordsOfTheFieldName) {
  RuleSet R = defaults();
  for (const char *Back : {"parent", "m_parent", "parentNode", "prev_", "Prev", "owner", "m_owner_"})
    EXPECT_TRUE(R.isBackPointerName(Back)) << Back;
  for (const char *Forward : {"children", "next", "kids", "apparent", "left", "previously_seen"})
    EXPECT_FALSE(R.isBackPointerName(Forward)) << Forward;
}

TEST(Rules, BaseDefaultExtendsTheDefaults) {
  auto R = parseRules("base: default\n"
                      "handles:\n"
                      "  - family: mylib\n"
                      "    strong: [mylib::Ref]\n"
                      "    weak: [mylib::WeakRef]\n"
                      "owners: [mylib::SmallVec]\n"
                      "rules:\n"
                      "  - id: cycle-type\n"
                      "    severity: error\n"
                      "  - id: missing-trace\n"
                      "    enabled: false\n",
                      "my-rules.yaml", defaults());
  ASSERT_TRUE(static_cast<bool>(R)) << llvm::toString(R.takeError());
  EXPECT_NE(R->strongFamily("mylib::Ref"), nullptr);
  EXPECT_NE(R->strongFamily("cyc::Handle"), nullptr);
  EXPECT_TRUE(R->isOwner("mylib::SmallVec"));
  EXPECT_TRUE(R->isOwner("std::vector"));
  EXPECT_EQ(R->rule("cycle-type")->Level, Severity::Error);
  EXPECT_FALSE(R->enabled("missing-trace"));
  EXPECT_TRUE(R->enabled("untraced-field"));
  EXPECT_EQ(R->Rules.size(), knownRuleIds().size());
}

TEST(Rules, WithoutBaseTheFileReplacesTheDefaults) {
  auto R = parseRules("handles:\n"
                      "  - family: mylib\n"
                      "    strong: [::mylib::Ref]\n"
                      "rules:\n"
                      "  - id: cycle-type\n",
                      "my-rules.yaml", defaults());
  ASSERT_TRUE(static_cast<bool>(R)) << llvm::toString(R.takeError());
  EXPECT_NE(R->strongFamily("mylib::Ref"), nullptr) << "a leading :: is dropped";
  EXPECT_EQ(R->strongFamily("cyc::Handle"), nullptr);
  EXPECT_FALSE(R->isOwner("std::vector"));
  EXPECT_TRUE(R->enabled("cycle-type"));
  EXPECT_FALSE(R->enabled("cycle-instance"));
}

TEST(Rules, UnknownKeyIsAnErrorWithFileAndLine) {
  std::string E = errorOf("version: 1\n"
                          "handles:\n"
                          "  - family: x\n"
                          "    strong: [x::Ref]\n"
                          "    colour: red\n");
  EXPECT_EQ(E.rfind("my-rules.yaml:5:5: ", 0), 0u) << E;
  EXPECT_NE(E.find("unknown key 'colour'"), std::string::npos) << E;
  E = errorOf("owner: [std::vector]\n");
  EXPECT_EQ(E.rfind("my-rules.yaml:1:1: ", 0), 0u) << E;
}

TEST(Rules, BadValuesAreErrorsWithFileAndLine) {
  std::string E = errorOf("rules:\n  - id: cycle-type\n    severity: loud\n");
  EXPECT_EQ(E.rfind("my-rules.yaml:3:15: ", 0), 0u) << E;
  E = errorOf("cycle_type:\n  max_length: many\n");
  EXPECT_EQ(E.rfind("my-rules.yaml:2:15: ", 0), 0u) << E;
  E = errorOf("cycle_type:\n  max_length: 1\n");
  EXPECT_NE(E.find("max_length must be between 2 and 64"), std::string::npos) << E;
  EXPECT_EQ(E.rfind("my-rules.yaml:2:", 0), 0u) << E;
  E = errorOf("rules:\n  - id: no-such-rule\n");
  EXPECT_NE(E.find("unknown rule id 'no-such-rule'"), std::string::npos) << E;
  EXPECT_EQ(E.rfind("my-rules.yaml:2:", 0), 0u) << E;
  E = errorOf("handles:\n  - family: x\n    strong: ['not a name']\n");
  EXPECT_NE(E.find("'not a name' in 'strong' is not a qualified C++ name"), std::string::npos) << E;
  E = errorOf("base: sometimes\n");
  EXPECT_NE(E.find("'base' must be 'default' or 'none'"), std::string::npos) << E;
  E = errorOf("handles:\n  - family: x\n");
  EXPECT_NE(E.find("missing required key 'strong'"), std::string::npos) << E;
  E = errorOf("handles: [unclosed\n");
  EXPECT_EQ(E.rfind("my-rules.yaml:", 0), 0u) << E;
  E = errorOf("rules:\n  - id: cycle-type\n  - id: cycle-type\n");
  EXPECT_NE(E.find("listed twice"), std::string::npos) << E;
}

TEST(Rules, UnreadableFileIsAnError) {
  auto R = loadRulesFile("/nonexistent/cyclops-rules.yaml");
  ASSERT_FALSE(static_cast<bool>(R));
  std::string E = llvm::toString(R.takeError());
  EXPECT_NE(E.find("cannot read rules file '/nonexistent/cyclops-rules.yaml'"), std::string::npos) << E;
}

TEST(Rules, ImplementedRules) {
  for (const char *Id : {"cycle-type", "cycle-instance", "capture-cycle", "missing-trace", "untraced-field"})
    EXPECT_TRUE(isImplementedRule(Id)) << Id;
  EXPECT_FALSE(isImplementedRule("no-such-rule"));
}

TEST(ResourceDir, FoundForTheLinkedClangVersion) {
  static int Anchor;
  auto Dir = findResourceDir("", "cyclops_unit_test", &Anchor);
  ASSERT_TRUE(static_cast<bool>(Dir)) << llvm::toString(Dir.takeError());
  EXPECT_TRUE(isResourceDir(*Dir)) << *Dir;
  EXPECT_EQ(llvm::sys::path::filename(*Dir), std::to_string(LLVM_VERSION_MAJOR)) << *Dir;
  auto Bad = findResourceDir("/nonexistent", "cyclops_unit_test", &Anchor);
  ASSERT_FALSE(static_cast<bool>(Bad));
  EXPECT_NE(llvm::toString(Bad.takeError()).find("is not a clang resource directory"), std::string::npos);
}

}  // namespace
}  // namespace cyclops
