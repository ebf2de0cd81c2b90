// Matcher.cpp - lines up collected cycles with the findings' paths, rotation by rotation.
#include "confirm/Matcher.h"

#include <algorithm>
#include <set>

#include "confirm/TypeName.h"

namespace cyclops::confirm {
namespace {

constexpr size_t None = static_cast<size_t>(-1);

// A path with its types normalized once, so that matching compares plain strings.
struct NormalPath {
  std::vector<std::string> Types, Fields, Owners;  // Owners: empty for a finding's path
};

NormalPath normalFinding(const std::vector<FindingStep> &Path) {
  NormalPath P;
  for (const FindingStep &S : Path) {
    P.Types.push_back(normalizeTypeName(S.Type));
    P.Fields.push_back(llvm::StringRef(S.Field).trim().str());
  }
  return P;
}

NormalPath normalObserved(const std::vector<ObservedStep> &Path) {
  NormalPath P;
  for (const ObservedStep &S : Path) {
    P.Types.push_back(normalizeTypeName(S.Type));
    P.Fields.push_back(llvm::StringRef(S.Field).trim().str());
    P.Owners.push_back(S.Owner.empty() ? std::string() : normalizeTypeName(S.Owner));
  }
  return P;
}

// The dynamic programme of alignPaths over normalized paths. State: how far round the
// finding's path (from rotation R) the observed steps so far have come.
std::optional<Alignment> align(const NormalPath &F, const NormalPath &O, bool TypeLevel) {
  const size_t N = F.Types.size(), M = O.Types.size();
  if (N == 0 || M == 0 || (!TypeLevel && M > N)) return std::nullopt;
  // Does observed step I stand for the finding's steps S .. S+L-1?
  // A finding's field may be a path through members held by value or owned
  // (`impl.wiring.engine`); the runtime names the innermost field, declared by the owner.
  auto SameField = [](llvm::StringRef Finding, llvm::StringRef Observed) {
    if (Finding == Observed) return true;
    size_t Dot = Finding.rfind('.');
    return Dot != llvm::StringRef::npos && Finding.substr(Dot + 1) == Observed;
  };
  auto Stands = [&](size_t I, size_t S, size_t L) {
    size_t E = (S + L - 1) % N;
    if (!SameField(F.Fields[E], O.Fields[I])) return false;
    const std::string &Owner = O.Owners[I];
    if (L == 1) return O.Types[I] == F.Types[E] || (!Owner.empty() && Owner == F.Types[E]);
    return O.Types[I] == F.Types[S] && !Owner.empty() && Owner != O.Types[I] && Owner == F.Types[E];
  };
  const size_t States = TypeLevel ? N : N + 1, Goal = TypeLevel ? 0 : N;
  for (size_t R = 0; R < N; ++R) {
    // From[I][P]: the state before observed step I-1 on a way to state P, or None.
    std::vector<std::vector<size_t>> From(M + 1, std::vector<size_t>(States, None));
    From[0][0] = 0;
    for (size_t I = 0; I < M; ++I)
      for (size_t P = 0; P < States; ++P) {
        if (From[I][P] == None) continue;
        for (size_t L = 1; L <= (TypeLevel ? N : N - P); ++L) {
          if (!Stands(I, (R + P) % N, L)) continue;
          size_t Q = TypeLevel ? (P + L) % N : P + L;
          if (From[I + 1][Q] == None) From[I + 1][Q] = P;
        }
      }
    if (From[M][Goal] == None) continue;
    Alignment A;
    A.RunStart.resize(M);
    A.RunEnd.resize(M);
    for (size_t I = M, Q = Goal; I > 0; --I) {
      size_t P = From[I][Q];
      size_t L = TypeLevel ? ((Q + N - P) % N == 0 ? N : (Q + N - P) % N) : Q - P;
      A.RunStart[I - 1] = (R + P) % N;
      A.RunEnd[I - 1] = (R + P + L - 1) % N;
      Q = P;
    }
    return A;
  }
  return std::nullopt;
}

// The start of the smallest rotation of Steps, in O(m) comparisons for m steps: two
// candidate starts I and J race; after K equal steps, the one with the larger next step, and
// every start up to K past it, cannot be smallest (Shiloach's minimal-rotation algorithm).
size_t smallestRotation(const std::vector<std::string> &Steps) {
  const size_t M = Steps.size();
  size_t I = 0, J = 1, K = 0;
  while (I < M && J < M && K < M) {
    const int Order = Steps[(I + K) % M].compare(Steps[(J + K) % M]);
    if (Order == 0) {
      ++K;
      continue;
    }
    (Order > 0 ? I : J) += K + 1;
    if (I == J) ++J;
    K = 0;
  }
  return std::min(I, J);
}

// One key for every rotation of an observed path: its smallest rotation. Linear in the
// path's length (a collected ring of a million objects is a path of a million steps).
std::string shapeKey(const NormalPath &P) {
  const size_t M = P.Types.size();
  std::vector<std::string> Steps;
  Steps.reserve(M);
  for (size_t I = 0; I < M; ++I) Steps.push_back(P.Types[I] + '\x1f' + P.Fields[I] + '\x1f' + P.Owners[I]);
  const size_t Best = smallestRotation(Steps);
  std::string Key;
  for (size_t I = 0; I < M; ++I) Key += Steps[(Best + I) % M] + '\x1e';
  return Key;
}

// The observed path rotated so that the step standing for the finding's last step comes
// last: the one whose run ends there (the last such), else the one whose run covers it.
std::vector<ObservedStep> closingLast(const std::vector<ObservedStep> &Path, const Alignment &A, size_t N) {
  const size_t M = Path.size();
  size_t Last = None;
  for (size_t I = 0; I < M; ++I)
    if (A.RunEnd[I] == N - 1) Last = I;
  for (size_t I = 0; I < M && Last == None; ++I)
    if ((N - 1 + N - A.RunStart[I]) % N <= (A.RunEnd[I] + N - A.RunStart[I]) % N) Last = I;
  if (Last == None) Last = M - 1;
  std::vector<ObservedStep> Out(Path.begin() + static_cast<long>((Last + 1) % M), Path.end());
  Out.insert(Out.end(), Path.begin(), Path.begin() + static_cast<long>((Last + 1) % M));
  return Out;
}

bool heavier(const Occurrences &A, const Occurrences &B) {
  return std::tie(A.DeviceTotal, A.HostTotal) > std::tie(B.DeviceTotal, B.HostTotal);
}

}  // namespace

std::optional<Alignment> alignPaths(const std::vector<FindingStep> &Finding, const std::vector<ObservedStep> &Observed,
                                    bool TypeLevel) {
  return align(normalFinding(Finding), normalObserved(Observed), TypeLevel);
}

void Occurrences::add(const ObservedCycle &C, size_t Index) {
  if (Count == 0 || std::tie(C.DeviceBytes, C.HostBytes) > std::tie(LargestDevice, LargestHost)) {
    Largest = Index;
    LargestDevice = C.DeviceBytes;
    LargestHost = C.HostBytes;
  }
  ++Count;
  HostTotal += C.HostBytes;
  HostMax = std::max(HostMax, C.HostBytes);
  DeviceTotal += C.DeviceBytes;
  DeviceMax = std::max(DeviceMax, C.DeviceBytes);
  WaitedNsTotal += C.WaitedNs;
  WaitedNsMax = std::max(WaitedNsMax, C.WaitedNs);
  WaitedCollectionsTotal += C.WaitedCollections;
  WaitedCollectionsMax = std::max(WaitedCollectionsMax, C.WaitedCollections);
  ++Reasons[C.Reason.empty() ? "unknown" : C.Reason];
}

ConfirmResult match(const std::vector<StaticFinding> &Findings, const Observations &Observed) {
  ConfirmResult Result;
  Result.CyclesObserved = Observed.Cycles.size();

  std::vector<size_t> CycleFindings;
  std::vector<NormalPath> FindingPaths(Findings.size()), RuntimePaths(Findings.size());
  for (size_t I = 0; I < Findings.size(); ++I) {
    FindingPaths[I] = normalFinding(Findings[I].Path);
    RuntimePaths[I] = normalFinding(runtimePath(Findings[I]));
    if (isCycleRule(Findings[I].Rule)) CycleFindings.push_back(I);
  }
  Result.CycleFindings = CycleFindings.size();

  // Group the observed cycles by shape: a program forms the same cycle many times.
  struct Shape {
    NormalPath Path;
    std::vector<size_t> Cycles;
    std::vector<size_t> Findings;  // the findings it matches
  };
  std::vector<Shape> Shapes;
  std::map<std::string, size_t> ShapeOf;
  for (size_t I = 0; I < Observed.Cycles.size(); ++I) {
    NormalPath P = normalObserved(Observed.Cycles[I].Path);
    auto [It, New] = ShapeOf.try_emplace(shapeKey(P), Shapes.size());
    if (New) Shapes.push_back(Shape{std::move(P), {}, {}});
    Shapes[It->second].Cycles.push_back(I);
  }
  std::vector<std::vector<size_t>> ShapesOfFinding(Findings.size());
  for (size_t S = 0; S < Shapes.size(); ++S)
    for (size_t F : CycleFindings)
      if (align(RuntimePaths[F], Shapes[S].Path, isTypeLevelRule(Findings[F].Rule))) {
        Shapes[S].Findings.push_back(F);
        ShapesOfFinding[F].push_back(S);
      }

  for (size_t F : CycleFindings) {
    if (ShapesOfFinding[F].empty()) {
      Result.NotExercised.push_back(F);
      continue;
    }
    ConfirmedFinding C;
    C.Finding = F;
    std::vector<size_t> Cycles;
    std::set<size_t> Others;
    for (size_t S : ShapesOfFinding[F]) {
      Cycles.insert(Cycles.end(), Shapes[S].Cycles.begin(), Shapes[S].Cycles.end());
      for (size_t G : Shapes[S].Findings)
        if (G != F) Others.insert(G);
    }
    std::sort(Cycles.begin(), Cycles.end());
    for (size_t I : Cycles) C.Seen.add(Observed.Cycles[I], I);
    C.AlsoMatches.assign(Others.begin(), Others.end());
    const std::vector<ObservedStep> &Big = Observed.Cycles[C.Seen.Largest].Path;
    std::optional<Alignment> A = align(RuntimePaths[F], normalObserved(Big), isTypeLevelRule(Findings[F].Rule));
    C.Drawn = A ? closingLast(Big, *A, RuntimePaths[F].Types.size()) : Big;
    Result.Confirmed.push_back(std::move(C));
  }

  for (const Shape &S : Shapes) {
    if (!S.Findings.empty()) continue;
    MissedCycle Missed;
    for (size_t I : S.Cycles) Missed.Seen.add(Observed.Cycles[I], I);
    Missed.Path = Observed.Cycles[Missed.Seen.Largest].Path;
    Result.Missed.push_back(std::move(Missed));
  }
  std::stable_sort(Result.Missed.begin(), Result.Missed.end(),
                   [](const MissedCycle &A, const MissedCycle &B) { return heavier(A.Seen, B.Seen); });

  std::set<int64_t> Pids;
  for (const ObservedCycle &C : Observed.Cycles) Pids.insert(C.Pid);
  std::map<std::string, size_t> AliveOf;
  std::vector<std::set<int64_t>> AlivePids;
  for (const AliveRecord &R : Observed.Alive) {
    Pids.insert(R.Pid);
    std::string Key = normalizeTypeName(R.Type);
    auto [It, New] = AliveOf.try_emplace(Key, Result.Alive.size());
    if (New) {
      AliveSummary A;
      A.Type = R.Type;
      for (size_t F = 0; F < Findings.size(); ++F)
        if (std::find(FindingPaths[F].Types.begin(), FindingPaths[F].Types.end(), Key) != FindingPaths[F].Types.end())
          A.RelatedFindings.push_back(F);
      Result.Alive.push_back(std::move(A));
      AlivePids.emplace_back();
    }
    AliveSummary &A = Result.Alive[It->second];
    A.Objects += R.Objects;
    A.HostBytes += R.HostBytes;
    A.DeviceBytes += R.DeviceBytes;
    AlivePids[It->second].insert(R.Pid);
  }
  for (size_t I = 0; I < Result.Alive.size(); ++I) Result.Alive[I].Processes = AlivePids[I].size();
  std::stable_sort(Result.Alive.begin(), Result.Alive.end(), [](const AliveSummary &A, const AliveSummary &B) {
    return std::tie(A.DeviceBytes, A.HostBytes) > std::tie(B.DeviceBytes, B.HostBytes);
  });
  Result.Processes = Pids.size();
  return Result;
}

}  // namespace cyclops::confirm
