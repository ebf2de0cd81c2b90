// lsp_protocol_test.cpp - findings in LSP's terms (lsp/Protocol.h): URIs, UTF-16 positions,
// diagnostics and quick fixes, on findings made by hand. The server itself is tested over
// stdio in tests/lsp/.
#include <gtest/gtest.h>

#include "lsp/Protocol.h"
#include "output/SourceRoot.h"

namespace cyclops::lsp {
namespace {

TEST(LspUri, EscapesWhatIsNotUnreservedAndReadsItBack) {
  EXPECT_EQ(fileUri("/a b/\xC3\xBC.cpp"), "file:///a%20b/%C3%BC.cpp");
  llvm::Expected<std::string> Path = uriToPath("file:///a%20b/%c3%bc.cpp");
  ASSERT_TRUE(bool(Path)) << llvm::toString(Path.takeError());
  EXPECT_EQ(*Path, "/a b/\xC3\xBC.cpp");
  llvm::Expected<std::string> Local = uriToPath("file://localhost/x.cpp");
  ASSERT_TRUE(bool(Local)) << llvm::toString(Local.takeError());
  EXPECT_EQ(*Local, "/x.cpp");
}

// A backslash is part of a name on Linux, and "//a" is "/a": the URI names the same file,
// and reading it back gives a path whose URI is the same (what the fuzzer checks).
TEST(LspUri, BackslashesStayAndLeadingSlashesCollapse) {
  EXPECT_EQ(fileUri("//a/b\\c.cpp"), "file:///a/b%5Cc.cpp");
  llvm::Expected<std::string> Path = uriToPath(fileUri("//a/b\\c.cpp"));
  ASSERT_TRUE(bool(Path)) << llvm::toString(Path.takeError());
  EXPECT_EQ(*Path, "/a/b\\c.cpp");
}

TEST(LspUri, RefusesOtherSchemesHostsAndBadEscapes) {
  for (const char *Bad :
       {"http://x/a.cpp", "file://server/a.cpp", "file:///a%G0.cpp", "file:///a%2", "file:///a%00b"}) {
    llvm::Expected<std::string> Path = uriToPath(Bad);
    EXPECT_FALSE(bool(Path)) << Bad;
    if (!Path) llvm::consumeError(Path.takeError());
  }
}

DiagnosticContext contextWith(std::string Line, PositionEncoding E = PositionEncoding::Utf16) {
  DiagnosticContext C;
  C.Encoding = E;
  C.Lines = [Line](const std::string &, unsigned) { return Line; };
  C.DocHref = [](llvm::StringRef Rule) { return "file:///docs/" + Rule.str() + ".md"; };
  return C;
}

TEST(LspPosition, CountsUtf16UnitsUnlessTheClientTookUtf8) {
  // "\xC3\xA9" is one unit, the emoji (4 bytes) two: 'x' is at byte 6, unit 3.
  std::string Line = "\xC3\xA9\xF0\x9F\x98\x80x = 1;";
  llvm::json::Object P = toPosition(contextWith(Line), "f.cpp", 3, 7);
  EXPECT_EQ(P.getInteger("line"), 2);
  EXPECT_EQ(P.getInteger("character"), 3);
  EXPECT_EQ(toPosition(contextWith(Line, PositionEncoding::Utf8), "f.cpp", 3, 7).getInteger("character"), 6);
}

Finding typeCycle() {
  Finding F;
  F.Rule = "cycle-type";
  F.Level = Severity::Warning;
  F.Message = "strong fields form a reference cycle: A.b -> B.a -> (A)";
  F.Pos = {"/p/b.h", 4, 23};
  F.Path = {{"A", "b", {"/p/a.h", 3, 20}, "'A::b' holds a strong reference to 'B'"},
            {"B", "a", {"/p/b.h", 4, 23}, "'B::a' holds a strong reference to 'A'",
             {{{"/p/b.cpp", 9, 3}, "stored here"}}}};
  F.Fixes = {{{"/p/b.h", 4, 3}, 15, "std::weak_ptr"}};
  F.Id = "abc";
  return F;
}

TEST(LspDiagnostic, CarriesRuleCodeDocLinkAndOneRelatedEntryPerNote) {
  llvm::json::Object D = toDiagnostic(contextWith("  std::shared_ptr<A> a;    "), typeCycle());
  EXPECT_EQ(D.getString("code"), "cycle-type");
  EXPECT_EQ(D.getString("source"), "cyclops");
  EXPECT_EQ(D.getInteger("severity"), 2);
  EXPECT_EQ(D.getObject("codeDescription")->getString("href"), "file:///docs/cycle-type.md");
  const llvm::json::Object *Range = D.getObject("range");
  EXPECT_EQ(Range->getObject("start")->getInteger("character"), 22);
  EXPECT_EQ(Range->getObject("end")->getInteger("character"), 23);  // the identifier 'a'
  const llvm::json::Array *Related = D.getArray("relatedInformation");
  ASSERT_NE(Related, nullptr);
  ASSERT_EQ(Related->size(), 3u);
  EXPECT_EQ((*Related)[2].getAsObject()->getString("message"), "stored here");
  EXPECT_EQ((*Related)[0].getAsObject()->getObject("location")->getString("uri"), "file:///p/a.h");
}

TEST(LspCodeAction, IsAQuickFixWithTheFindingsEdits) {
  const DiagnosticContext C = contextWith("  std::shared_ptr<A> a;");
  std::optional<llvm::json::Object> A = toCodeAction(C, typeCycle(), toDiagnostic(C, typeCycle()));
  ASSERT_TRUE(A);
  EXPECT_EQ(A->getString("kind"), "quickfix");
  const llvm::json::Array *Edits = A->getObject("edit")->getObject("changes")->getArray("file:///p/b.h");
  ASSERT_NE(Edits, nullptr);
  ASSERT_EQ(Edits->size(), 1u);
  const llvm::json::Object *Edit = (*Edits)[0].getAsObject();
  EXPECT_EQ(Edit->getString("newText"), "std::weak_ptr");
  EXPECT_EQ(Edit->getObject("range")->getObject("start")->getInteger("character"), 2);
  EXPECT_EQ(Edit->getObject("range")->getObject("end")->getInteger("character"), 17);
  Finding NoFix = typeCycle();
  NoFix.Fixes.clear();
  EXPECT_FALSE(toCodeAction(C, NoFix, toDiagnostic(C, NoFix)));
}

TEST(LspDiagnostic, ATranslationUnitThatDoesNotCompileIsOneDiagnosticAtTheTop) {
  llvm::json::Object D = failureDiagnostic({"/p/bad.cpp", "bad.cpp:1:14: error: expected expression"});
  EXPECT_EQ(D.getObject("range")->getObject("start")->getInteger("line"), 0);
  EXPECT_NE(D.getString("message")->find("does not compile: bad.cpp:1:14"), llvm::StringRef::npos);
}

}  // namespace
}  // namespace cyclops::lsp
