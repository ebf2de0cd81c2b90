// HtmlReport.cpp - the confirm result as one self-contained HTML page with an SVG diagram
// of each confirmed and missed cycle, laid out on a circle.
#include "confirm/ConfirmOutput.h"

#include <cmath>
#include <numbers>

#include "llvm/Support/Format.h"

namespace cyclops::confirm {
namespace {

// Text for HTML content and attribute values alike.
std::string escape(llvm::StringRef S) {
  std::string Out;
  for (char C : S) {
    switch (C) {
      case '&': Out += "&amp;"; break;
      case '<': Out += "&lt;"; break;
      case '>': Out += "&gt;"; break;
      case '"': Out += "&quot;"; break;
      case '\'': Out += "&#39;"; break;
      default: Out += C;
    }
  }
  return Out;
}

std::string num(double V) {
  std::string S;
  llvm::raw_string_ostream(S) << llvm::format("%.1f", V);
  return S;
}

struct Point {
  double X = 0, Y = 0;
};

// One drawn object: its label, its full type (for the tooltip), its box.
struct Node {
  std::string Label, Type;
  Point At;
  double HalfW = 0, HalfH = 14;
};

constexpr double CharWidth = 7.3;  // of the 12px monospace labels
constexpr size_t MaxLabel = 60;    // longer type names are cut, the tooltip has them whole
constexpr size_t MaxNodes = 12;    // longer cycles show their first objects and an ellipsis
constexpr double Margin = 30;

std::string plural(uint64_t N, llvm::StringRef One) {
  return std::to_string(N) + " " + One.str() + (N == 1 ? "" : "s");
}

// Where the segment from a box's centre towards `Toward` leaves the box (plus a gap).
Point boxExit(const Node &N, Point Toward) {
  double DX = Toward.X - N.At.X, DY = Toward.Y - N.At.Y;
  double Len = std::hypot(DX, DY);
  if (Len == 0) return N.At;
  double T =
      std::min(DX == 0 ? INFINITY : (N.HalfW + 3) / std::fabs(DX), DY == 0 ? INFINITY : (N.HalfH + 3) / std::fabs(DY));
  return {N.At.X + DX * T, N.At.Y + DY * T};
}

// The steps to draw: one period of a path that repeats, at most MaxNodes objects.
struct Drawing {
  std::vector<std::string> Types, Fields;  // step i: object Types[i] holds the next through Fields[i]
  size_t Rounds = 1;                       // the path went round the drawn steps this many times
  size_t Elided = 0;                       // objects left out before the last drawn one
};

Drawing plan(const std::vector<ObservedStep> &Path) {
  Drawing D;
  const size_t Period = repeatingPeriod(Path);
  D.Rounds = Path.size() / Period;
  size_t Shown = Period;
  if (Shown > MaxNodes) {
    D.Elided = Shown - (MaxNodes - 1);
    Shown = MaxNodes - 1;
  }
  for (size_t I = 0; I < Shown; ++I) {
    D.Types.push_back(Path[I].Type);
    D.Fields.push_back(Path[I].Field);
  }
  if (D.Elided) {  // an ellipsis stands for the elided objects; the closing field leaves it
    D.Types.push_back("... " + std::to_string(D.Elided) + " more objects");
    D.Fields.push_back(Path[Period - 1].Field);
  }
  return D;
}

// One <svg>: objects on a circle, step i's field as an edge to step i+1, the edge from the
// last object back to the first (the one that closes the cycle) highlighted.
void drawCycle(llvm::raw_ostream &OS, const std::vector<ObservedStep> &Path, const ObservedCycle &Largest,
               size_t Index) {
  Drawing D = plan(Path);
  const size_t N = D.Types.size();
  std::vector<Node> Nodes(N);
  double MaxHalfW = 0;
  for (size_t I = 0; I < N; ++I) {
    Nodes[I].Type = D.Types[I];
    Nodes[I].Label = D.Types[I].size() > MaxLabel ? D.Types[I].substr(0, MaxLabel - 3) + "..." : D.Types[I];
    Nodes[I].HalfW = (static_cast<double>(Nodes[I].Label.size()) * CharWidth + 20) / 2;
    MaxHalfW = std::max(MaxHalfW, Nodes[I].HalfW);
  }
  // Neighbours on the circle must not overlap: the chord between them is 2R sin(pi/N).
  double R = 0;
  if (N == 2) R = 70;
  if (N >= 3) R = std::max(110.0, (2 * MaxHalfW + 30) / (2 * std::sin(std::numbers::pi / static_cast<double>(N))));
  if (N >= 3 && N <= 4) R = std::max(R, 110.0);
  // The captions under the circle, and room at the sides for the edges' labels.
  std::vector<std::string> Captions{"largest occurrence: " + plural(Largest.Objects, "object") + ", " +
                                    formatBytes(Largest.HostBytes) + " host, " + formatBytes(Largest.DeviceBytes) +
                                    " device"};
  if (D.Rounds > 1)
    Captions.push_back(plural(Path.size(), "object") + " in the cycle: it goes round the " + plural(N, "step") +
                       " drawn " + std::to_string(D.Rounds) + " times");
  if (D.Elided) Captions.push_back(plural(D.Elided, "object") + " of the cycle not drawn");
  Captions.push_back("red: the edge that closes the cycle");
  double LabelW = 0, CaptionW = 0;
  for (const std::string &F : D.Fields) LabelW = std::max(LabelW, static_cast<double>(F.size() + 10) * CharWidth);
  for (const std::string &C : Captions) CaptionW = std::max(CaptionW, static_cast<double>(C.size()) * CharWidth);
  const double Top = N == 1 ? 110 : 50;  // room for a self-loop or the labels above
  const double Width = std::max(2 * R + 2 * MaxHalfW + 2 * LabelW, CaptionW) + 2 * Margin;
  const double Height = Top + 2 * R + 28 + 50 + 18 * static_cast<double>(Captions.size()) + 10;
  const Point Center{Width / 2, Top + R + 14};
  for (size_t I = 0; I < N; ++I) {
    double A = -std::numbers::pi / 2 + 2 * std::numbers::pi * static_cast<double>(I) / static_cast<double>(N);
    Nodes[I].At = {Center.X + R * std::cos(A), Center.Y + R * std::sin(A)};
  }

  std::string Arrow = "arrow-" + std::to_string(Index), BackArrow = "arrow-back-" + std::to_string(Index);
  // At its own size, scrolled sideways where wider than the page: shrunk to fit, a wide
  // cycle's 12px labels would be unreadable.
  OS << "<div class=\"diagram\"><svg width=\"" << num(Width) << "\" height=\"" << num(Height) << "\" viewBox=\"0 0 " << num(Width) << " "
     << num(Height) << "\" role=\"img\">\n";
  OS << "<title>" << escape(renderPath(Path)) << "</title>\n";
  OS << "<defs>"
     << "<marker id=\"" << Arrow
     << "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" "
     << "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"head\"/></marker>"
     << "<marker id=\"" << BackArrow << "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" "
     << "markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"head back\"/></marker>"
     << "</defs>\n";

  for (size_t I = 0; I < N; ++I) {
    const Node &From = Nodes[I], &To = Nodes[(I + 1) % N];
    bool Back = I + 1 == N;
    std::string Field = D.Fields[I].empty() ? "[elements]" : D.Fields[I];
    std::string PathData, Anchor = "middle";
    Point Label;
    if (N == 1) {  // a self-loop above the object
      Point A{From.At.X - 22, From.At.Y - From.HalfH - 2}, B{From.At.X + 22, From.At.Y - From.HalfH - 2};
      PathData = "M" + num(A.X) + "," + num(A.Y) + " C" + num(A.X - 50) + "," + num(A.Y - 80) + " " + num(B.X + 50) +
                 "," + num(B.Y - 80) + " " + num(B.X) + "," + num(B.Y);
      Label = {From.At.X, A.Y - 70};
    } else {
      // Bend each edge to the right of its direction: outwards on the circle, and the two
      // edges of a two-object cycle apart. Its label sits outside the bend.
      double DX = To.At.X - From.At.X, DY = To.At.Y - From.At.Y, Len = std::hypot(DX, DY);
      Point Normal{DY / Len, -DX / Len};
      double Bend = Len * (N == 2 ? 0.35 : 0.18);
      Point Mid{(From.At.X + To.At.X) / 2, (From.At.Y + To.At.Y) / 2};
      Point Control{Mid.X + Normal.X * Bend, Mid.Y + Normal.Y * Bend};
      Point A = boxExit(From, Control), B = boxExit(To, Control);
      PathData = "M" + num(A.X) + "," + num(A.Y) + " Q" + num(Control.X) + "," + num(Control.Y) + " " + num(B.X) + "," +
                 num(B.Y);
      Point Apex{0.25 * A.X + 0.5 * Control.X + 0.25 * B.X, 0.25 * A.Y + 0.5 * Control.Y + 0.25 * B.Y};
      Label = {Apex.X + Normal.X * 8, Apex.Y + Normal.Y * 8 + 4};
      if (Normal.X > 0.35)
        Anchor = "start";
      else if (Normal.X < -0.35)
        Anchor = "end";
      else
        Label.Y += Normal.Y * 8;
    }
    OS << "<g class=\"edge" << (Back ? " back" : "") << "\"><path d=\"" << PathData << "\" marker-end=\"url(#"
       << (Back ? BackArrow : Arrow) << ")\"/><text class=\"label\" x=\"" << num(Label.X) << "\" y=\"" << num(Label.Y)
       << "\" text-anchor=\"" << Anchor << "\">" << escape(Field) << "</text></g>\n";
  }
  for (const Node &Nd : Nodes)
    OS << "<g class=\"node\"><title>" << escape(Nd.Type) << "</title><rect x=\"" << num(Nd.At.X - Nd.HalfW) << "\" y=\""
       << num(Nd.At.Y - Nd.HalfH) << "\" width=\"" << num(2 * Nd.HalfW) << "\" height=\"" << num(2 * Nd.HalfH)
       << "\" rx=\"6\"/><text x=\"" << num(Nd.At.X) << "\" y=\"" << num(Nd.At.Y + 4) << "\" text-anchor=\"middle\">"
       << escape(Nd.Label) << "</text></g>\n";

  // The collector reports bytes per cycle, not per object: they go under the circle.
  double Y = Center.Y + R + 14 + 44;
  for (const std::string &C : Captions) {
    OS << "<text class=\"caption\" x=\"" << num(Center.X) << "\" y=\"" << num(Y) << "\" text-anchor=\"middle\">"
       << escape(C) << "</text>\n";
    Y += 18;
  }
  OS << "</svg></div>\n";
}

void statsTable(llvm::raw_ostream &OS, const Occurrences &S) {
  OS << "<table><tr><th>formed</th><th>host bytes, total / largest</th><th>device bytes, total / largest</th>"
     << "<th>waited at most</th></tr><tr><td class=\"n\">" << S.Count << "</td><td class=\"n\">"
     << escape(formatBytes(S.HostTotal) + " / " + formatBytes(S.HostMax)) << "</td><td class=\"n\">"
     << escape(formatBytes(S.DeviceTotal) + " / " + formatBytes(S.DeviceMax)) << "</td><td class=\"n\">"
     << plural(S.WaitedCollectionsMax, "collection") << ", " << escape(formatDuration(S.WaitedNsMax)) << "</td></tr></table>\n";
}

const char *Style = R"css(
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
h3 { font-size: 1em; margin: 0.3em 0; }
code { font-family: ui-monospace, monospace; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; font-size: 0.9em; vertical-align: top; }
td.n { text-align: right; }
section.cycle { border: 1px solid #ccd; border-left: 6px solid #36c; border-radius: 4px; padding: 0.5em 1em; margin: 1em 0; }
section.missed { border-left-color: #d80; }
div.diagram { overflow-x: auto; }
svg { display: block; max-width: none; height: auto; }
svg text { font-family: ui-monospace, monospace; font-size: 12px; fill: #222; }
svg .node rect { fill: #eef3ff; stroke: #36c; stroke-width: 1.5; }
svg .edge path { fill: none; stroke: #555; stroke-width: 1.5; }
svg .edge.back path { stroke: #c22; stroke-width: 2.5; }
svg .head { fill: #555; stroke: none; } svg .head.back { fill: #c22; }
svg .label { paint-order: stroke; stroke: #fff; stroke-width: 4px; }
svg .back .label { fill: #c22; }
svg .caption { fill: #555; }
)css";

}  // namespace

void writeHtml(llvm::raw_ostream &OS, const ConfirmView &V) {
  const ConfirmResult &R = V.Result;
  OS << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>cyclops confirm: "
     << escape(commandLine(V.Run.Command)) << "</title>\n<style>" << Style << "</style>\n</head>\n<body>\n";
  OS << "<h1>cyclops confirm</h1>\n<p>Command <code>" << escape(commandLine(V.Run.Command)) << "</code>: ";
  if (!V.Run.Signal.empty())
    OS << "killed by a signal (" << escape(V.Run.Signal) << "), status " << V.Run.ExitStatus;
  else
    OS << "exit status " << V.Run.ExitStatus;
  if (V.Run.ReportWritten)
    OS << "; " << R.CyclesObserved << " garbage cycles collected in " << R.Processes << " processes.</p>\n";
  else
    OS << "; no collector report: the program never loaded libcyc or never wrote one.</p>\n";
  OS << "<p>" << R.Confirmed.size() << " confirmed, " << R.NotExercised.size() << " not exercised, " << R.Missed.size()
     << " missed, " << R.Alive.size() << " types alive at exit. In each diagram the red edge closes the cycle.</p>\n";

  size_t Diagram = 0;
  OS << "<h2>Confirmed (" << R.Confirmed.size() << "): findings whose cycles formed at run time</h2>\n";
  for (const ConfirmedFinding &C : R.Confirmed) {
    const StaticFinding &F = V.Findings[C.Finding];
    OS << "<section class=\"cycle confirmed\" id=\"finding-" << escape(F.Id) << "\">\n<h3><code>" << escape(F.Id)
       << "</code> " << escape(F.Rule) << " at <code>" << escape(location(F)) << "</code></h3>\n<p>"
       << escape(F.Message) << "</p>\n";
    if (!C.AlsoMatches.empty()) {
      OS << "<p>The same cycles also match";
      for (size_t I : C.AlsoMatches) OS << " <code>" << escape(V.Findings[I].Id) << "</code>";
      OS << ": the collector cannot tell which code formed them.</p>\n";
    }
    statsTable(OS, C.Seen);
    drawCycle(OS, C.Drawn, V.Observed.Cycles[C.Seen.Largest], Diagram++);
    OS << "</section>\n";
  }

  OS << "<h2>Missed (" << R.Missed.size() << "): cycles no finding predicted, a gap in the analyzer</h2>\n";
  for (const MissedCycle &M : R.Missed) {
    OS << "<section class=\"cycle missed\">\n<h3><code>" << escape(renderPath(M.Path)) << "</code></h3>\n";
    statsTable(OS, M.Seen);
    drawCycle(OS, M.Path, V.Observed.Cycles[M.Seen.Largest], Diagram++);
    OS << "</section>\n";
  }

  OS << "<h2>Not exercised (" << R.NotExercised.size() << "): findings whose cycles this run never formed</h2>\n";
  if (!R.NotExercised.empty()) {
    OS << "<table><tr><th>id</th><th>rule</th><th>location</th><th>path</th></tr>\n";
    for (size_t I : R.NotExercised) {
      const StaticFinding &F = V.Findings[I];
      OS << "<tr><td><code>" << escape(F.Id) << "</code></td><td>" << escape(F.Rule) << "</td><td><code>"
         << escape(location(F)) << "</code></td><td><code>" << escape(renderPath(F.Path)) << "</code></td></tr>\n";
    }
    OS << "</table>\n";
  }

  OS << "<h2>Alive at exit (" << R.Alive.size()
     << "): objects no collection freed, held by globals or by cycles the collector cannot see</h2>\n";
  if (!R.Alive.empty()) {
    OS << "<table><tr><th>type</th><th>objects</th><th>host</th><th>device</th><th>findings through it</th></tr>\n";
    for (const AliveSummary &A : R.Alive) {
      OS << "<tr><td><code>" << escape(A.Type) << "</code></td><td class=\"n\">" << A.Objects << "</td><td class=\"n\">"
         << escape(formatBytes(A.HostBytes)) << "</td><td class=\"n\">" << escape(formatBytes(A.DeviceBytes))
         << "</td><td>";
      for (size_t I : A.RelatedFindings) OS << "<code>" << escape(V.Findings[I].Id) << "</code> ";
      OS << "</td></tr>\n";
    }
    OS << "</table>\n";
  }
  OS << "</body>\n</html>\n";
}

}  // namespace cyclops::confirm
