// Output readable at scale: the progress line of a run on a terminal and long type names
// abbreviated in the text output.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "llvm/Support/raw_ostream.h"

#include "extract/Progress.h"
#include "output/Abbreviate.h"

namespace cyclops::test {
namespace {

const std::string E = "\xE2\x80\xA6";  // the ellipsis abbreviateTypes writes

TEST(ProgressLine, NamesTheFileRelativeToTheWorkingDirectory) {
  EXPECT_EQ(progressLine(12, 66, "/src/p/src/Connector.cc", "/src/p", 0), "[12/66] src/Connector.cc");
  EXPECT_EQ(progressLine(12, 66, "/src/p/src/Connector.cc", "/src/p/", 0), "[12/66] src/Connector.cc");
  EXPECT_EQ(progressLine(1, 2, "/src/pq/a.cc", "/src/p", 0), "[1/2] /src/pq/a.cc");
  EXPECT_EQ(progressLine(1, 2, "/other/a.cc", "/src/p", 0), "[1/2] /other/a.cc");
  EXPECT_EQ(progressLine(1, 2, "/src/p/a.cc", "", 0), "[1/2] /src/p/a.cc");
}

TEST(ProgressLine, KeepsTheEndOfAFileThatIsTooLong) {
  EXPECT_EQ(progressLine(3, 9, "/a/very/long/directory/name.cc", "", 20), "[3/9] ...ory/name.cc");
  EXPECT_EQ(progressLine(3, 9, "/a/very/long/directory/name.cc", "", 20).size(), 20u);
  EXPECT_EQ(progressLine(3, 9, "/a.cc", "", 20), "[3/9] /a.cc");
  EXPECT_EQ(progressLine(3, 9, "/a/b.cc", "", 4), "[3/9");
}

TEST(ProgressLine, RewritesOneLineAndErasesIt) {
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  ProgressLine P(OS, 2, "/p", 0);
  P.finished("/p/long_name.cc");
  P.finished("/p/b.cc");
  P.finish();
  P.finish();  // idempotent
  EXPECT_EQ(Out, "\r[1/2] long_name.cc"
                 "\r[2/2] b.cc" + std::string(8, ' ') + "\r[2/2] b.cc"
                 "\r" + std::string(10, ' ') + "\r");
  EXPECT_EQ(Out.find('\n'), std::string::npos);
}

TEST(ProgressLine, CountsEveryUnitFromManyThreads) {
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  ProgressLine P(OS, 64, "", 0);
  std::vector<std::thread> Threads;
  for (int T = 0; T < 8; ++T)
    Threads.emplace_back([&] {
      for (int I = 0; I < 8; ++I) P.finished("f.cc");
    });
  for (std::thread &T : Threads) T.join();
  P.finish();
  for (int N = 1; N <= 64; ++N)
    EXPECT_NE(Out.find("[" + std::to_string(N) + "/64] f.cc"), std::string::npos) << N;
}

TEST(AbbreviateTypes, AShortMessageIsUnchanged) {
  std::string M = "field 'kids' of type 'std::vector<std::shared_ptr<Node>>' holds Node";
  EXPECT_EQ(abbreviateTypes(M, 200), M);
  EXPECT_EQ(abbreviateTypes(M, M.size()), M);
}

TEST(AbbreviateTypes, ElidesTheDeepestLongArgumentsFirst) {
  std::string Inner = "std::shared_ptr<chaiscript::dispatch::Proxy_Function_Base>";
  std::string M = "'std::vector<" + Inner + ">' and 'std::map<int, std::vector<" + Inner + ">>'";
  std::string Depth2 = "'std::vector<" + Inner + ">' and 'std::map<int, std::vector<std::shared_ptr<" + E + ">>>'";
  std::string Depth1 = "'std::vector<std::shared_ptr<" + E + ">>' and 'std::map<int, std::vector<" + E + ">>'";
  std::string Depth0 = "'std::vector<" + E + ">' and 'std::map<" + E + ">'";
  EXPECT_EQ(abbreviateTypes(M, M.size() - 1), Depth2);
  EXPECT_EQ(abbreviateTypes(M, Depth2.size() - 1), Depth1);
  EXPECT_EQ(abbreviateTypes(M, Depth1.size()), Depth1);
  EXPECT_EQ(abbreviateTypes(M, Depth1.size() - 1), Depth0);
  // Never cut further: the prose stays.
  EXPECT_EQ(abbreviateTypes(M, 5), Depth0);
}

TEST(AbbreviateTypes, KeepsShortListsWhole) {
  std::string M = "capture a cyc::Weak<capcyc::Job> and lock() it inside, in 'std::vector<cyc::Handle<Node>>' " +
                  std::string(200, '.');
  EXPECT_EQ(abbreviateTypes(M, 100), M);
}

TEST(AbbreviateTypes, LeavesComparisonsShiftsAndArrowsAlone) {
  std::string Long = "std::shared_ptr<chaiscript::Boxed_Value_Holder>";
  std::string M = "Node -> Node when a < b or x << y, in '" + Long + "'";
  EXPECT_EQ(abbreviateTypes(M, 10), "Node -> Node when a < b or x << y, in 'std::shared_ptr<" + E + ">'");
  // A '<' that closes nothing is no list: nothing is lost.
  std::string Open = "operator<(const A &) of '" + Long + "'";
  EXPECT_EQ(abbreviateTypes(Open, 10), Open);
}

TEST(AbbreviateTypes, AnOverlongLineFromAnInstantiationFitsUnder200) {
  std::string Type = "Boxed<std::map<std::string, std::vector<std::shared_ptr<Dispatch_Function<Proxy_Function_Base, "
                     "Boxed_Value>>>, std::less<std::string>>>";
  std::string M = "'" + Type + "' holds '" + Type + "' through field 'm_data'";
  ASSERT_GT(M.size(), 200u);
  std::string Short = abbreviateTypes(M, 150);
  EXPECT_LE(Short.size(), 150u) << Short;
  EXPECT_NE(Short.find("through field 'm_data'"), std::string::npos) << Short;
  EXPECT_NE(Short.find("Boxed<std::map<"), std::string::npos) << Short;
}

}  // namespace
}  // namespace cyclops::test
