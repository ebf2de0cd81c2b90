// median_reporter.h - a Google Benchmark console reporter that also remembers each
// benchmark's CPU time per iteration (the median aggregate when repetitions were asked for),
// so that a benchmark program can print its own ratios at the end.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

class MedianReporter : public benchmark::ConsoleReporter {
 public:
  explicit MedianReporter(bool color) : ConsoleReporter(color ? OO_ColorTabular : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred) {
        failed_ = true;
        continue;
      }
      const std::string name = r.run_name.str();
      if (r.run_type == Run::RT_Aggregate) {
        if (r.aggregate_name == "median") {
          times_[name] = r.GetAdjustedCPUTime();
          median_.insert(name);
        }
      } else if (!median_.count(name)) {
        times_[name] = r.GetAdjustedCPUTime();
      }
    }
  }

 protected:
  std::map<std::string, double> times_;  // benchmark name -> CPU time per iteration
  bool failed_ = false;                  // some benchmark reported an error

 private:
  std::set<std::string> median_;
};
