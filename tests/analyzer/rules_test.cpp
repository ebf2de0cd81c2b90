// Rules files: the compiled-in defaults, extending and replacing them, and every kind of bad
// input reported with the file and line.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <regex>

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Path.h"

#include "config/Rules.h"
#include "extract/ResourceDir.h"
#include "io/InputLimits.h"
#include "rules/Registry.h"

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

TEST(Rules, ErasedHoldersAreListedByClass) {
  RuleSet D = defaults();
  EXPECT_TRUE(D.isErased("std::any"));
  EXPECT_TRUE(D.isErased("boost::any"));
  llvm::Expected<RuleSet> R = parseRules("base: default\nerased: [::app::Boxed]\n", "my-rules.yaml", D);
  ASSERT_TRUE(static_cast<bool>(R)) << llvm::toString(R.takeError());
  EXPECT_TRUE(R->isErased("app::Boxed")) << "a leading :: is dropped";
  EXPECT_TRUE(R->isErased("std::any")) << "the defaults stay";
  EXPECT_NE(rulesFingerprint(*R), rulesFingerprint(D));
  std::string E = errorOf("erased: ['not a name']\n");
  EXPECT_NE(E.find("'not a name' in 'erased' is not a qualified C++ name"), std::string::npos) << E;
}

TEST(Rules, WrappersAreListedByFunctionAndArgument) {
  RuleSet D = defaults();
  ASSERT_NE(D.wrapper("boost::asio::io_context::strand::wrap"), nullptr);
  EXPECT_EQ(D.wrapper("boost::asio::bind_executor")->Arg, 1u);
  EXPECT_EQ(D.wrapper("std::bind"), nullptr) << "binds are closures, not wrappers";
  auto R = parseRules("base: default\n"
                      "wrappers:\n"
                      "  - {function: ::app::make_handler}\n"
                      "  - {function: app::post_to, arg: 2}\n",
                      "my-rules.yaml", D);
  ASSERT_TRUE(static_cast<bool>(R)) << llvm::toString(R.takeError());
  ASSERT_NE(R->wrapper("app::make_handler"), nullptr) << "a leading :: is dropped";
  EXPECT_EQ(R->wrapper("app::make_handler")->Arg, 0u);
  EXPECT_EQ(R->wrapper("app::post_to")->Arg, 2u);
  EXPECT_NE(R->wrapper("asio::bind_executor"), nullptr) << "the defaults stay";
  EXPECT_NE(rulesFingerprint(*R), rulesFingerprint(D));
  std::string E = errorOf("wrappers:\n  - {function: 'not a name'}\n");
  EXPECT_NE(E.find("'not a name' in 'wrappers' is not a qualified C++ name"), std::string::npos) << E;
  EXPECT_EQ(E.rfind("my-rules.yaml:2:", 0), 0u) << E;
  E = errorOf("wrappers:\n  - {arg: 1}\n");
  EXPECT_NE(E.find("missing required key 'function'"), std::string::npos) << E;
  E = errorOf("wrappers:\n  - {function: a::f, arg: 99}\n");
  EXPECT_NE(E.find("at most 16"), std::string::npos) << E;
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

// Whatever the bytes, a rules file that does not parse is one error that starts with the file,
// line and column: never a crash, never a second line.
bool isOneLocatedError(const std::string &E) {
  static const std::regex Located("my-rules\\.yaml:[0-9]+:[0-9]+: [^\n]+");
  return std::regex_match(E, Located);
}

TEST(Rules, MalformedFilesAreOneErrorWithFileLineAndColumn) {
  const std::string Deep(100000, '[');
  const std::vector<std::string> Malformed = {
      "}", "\"abc", "*a", "@", "", "# nothing but a comment\n", "handles: *a\n", "&a {base: *a}\n",
      "handles:\n\t- family: x\n\t  strong: [x::R]\n",  // tabs indenting
      "handles: " + Deep + std::string(100000, ']') + "\n", "handles: " + Deep + "\n", Deep,
      "version: 1\n---\nbase: none\n", "version: 1\n---\n}\n", "%FOO bar\n", "[1, 2]\n", "abc\n",
      "? [a]\n: b\n"};
  for (const std::string &Text : Malformed) {
    std::string E = errorOf(Text);
    EXPECT_TRUE(isOneLocatedError(E)) << "input: " << Text.substr(0, 60) << "\nerror: " << E;
  }
  EXPECT_EQ(errorOf("}"), "my-rules.yaml:1:1: Unexpected token");
  EXPECT_EQ(errorOf("*a"), "my-rules.yaml:1:3: unknown node kind");
  EXPECT_EQ(errorOf(""), "my-rules.yaml:1:1: no rules: the file holds no YAML document (see rules/default.yaml)");
  EXPECT_EQ(errorOf("handles: " + Deep), "my-rules.yaml:1:110: nested deeper than 100 levels");
  EXPECT_EQ(errorOf("version: 1\n---\nbase: none\n"), "my-rules.yaml:3:1: a rules file holds one YAML document");
  // Too deep where the scanner has already lost its place (a NUL byte): still one error.
  const std::string LostDeep = "- " + std::string(17, '[') + "::" + std::string(82, '[') + std::string("t\n\0", 3);
  EXPECT_TRUE(isOneLocatedError(errorOf(LostDeep))) << errorOf(LostDeep);
  // LLVM's scanner recurses once per empty entry of a flow sequence: a long run is refused.
  EXPECT_EQ(errorOf("handles: [a" + std::string(20000, ',') + "]\n"),
            "my-rules.yaml:1:112: more than 100 empty entries in a row");
  EXPECT_EQ(errorOf("# it's\nhandles: [a'b" + std::string(MaxNesting + 1, ',') + "]\n"),
            "my-rules.yaml:2:114: more than 100 empty entries in a row");
  EXPECT_EQ(errorOf("handles: [a" + std::string(MaxNesting, ',') + "]\n"), "my-rules.yaml:1:11: not a mapping");
  // Nesting up to the limit is the rules' business, not the parser's.
  std::string Deepest = "handles: " + std::string(MaxNesting - 1, '[') + std::string(MaxNesting - 1, ']');
  std::string E = errorOf(Deepest);
  EXPECT_TRUE(isOneLocatedError(E) && llvm::StringRef(E).ends_with(": not a mapping")) << E;
  // An empty document after the rules is nothing.
  EXPECT_EQ(errorOf("version: 1\n---\n"), "");
}

TEST(Rules, RandomBytesAreAnErrorOrRules) {
  std::mt19937 Random(20240601);
  for (int Round = 0; Round < 2000; ++Round) {
    std::string Text(Random() % 64, '\0');
    for (char &C : Text) C = static_cast<char>(Random() % 256);
    std::string E = errorOf(Text);
    EXPECT_TRUE(E.empty() || isOneLocatedError(E)) << "round " << Round << ": " << E;
  }
}

// JSON inputs (baselines, facts, findings, reports, compile_commands.json) share the limit.
TEST(InputLimits, JsonNestedDeeperThanTheLimitIsAParseErrorAtItsBracket) {
  auto Depth = [](unsigned N) { return std::string(N, '[') + std::string(N, ']'); };
  auto Parsed = parseJson(Depth(MaxNesting));
  EXPECT_TRUE(static_cast<bool>(Parsed)) << llvm::toString(Parsed.takeError());
  auto Deep = parseJson("{\"a\":\n  " + Depth(MaxNesting) + "}");
  ASSERT_FALSE(static_cast<bool>(Deep));
  EXPECT_EQ(llvm::toString(Deep.takeError()), "[2:101, byte=107]: nested deeper than 100 levels");
  Deep = parseJson(std::string(1000000, '{'));
  ASSERT_FALSE(static_cast<bool>(Deep));
  EXPECT_EQ(llvm::toString(Deep.takeError()), "[1:100, byte=100]: nested deeper than 100 levels");
  // Brackets in strings are text, an escaped quote does not end one.
  auto Quoted = parseJson("[\"\\\"" + std::string(200, '[') + "\"]");
  EXPECT_TRUE(static_cast<bool>(Quoted)) << llvm::toString(Quoted.takeError());
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
