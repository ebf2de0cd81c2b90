// report_program - a program that leaves behind what CYC_REPORT must describe, for
// tests/e2e/report_test.cmake:
//   report_program return     a cycle left for the collection at exit, a cycle through a
//                             std::function (alive at exit), a global holding an object
//                             (released by static destruction, so not alive); returns 0
//   report_program exit       the same, then exit(3) from inside a function
//   report_program threads N  N threads each making and collecting 100 cycles
//   report_program procs N    N child processes each making and collecting 100 cycles
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <cyc/cyc.h>

namespace e2e {

struct Leaky {
  cyc::Handle<Leaky> next;
  CYC_TRACE(next)
};

struct Session {  // its callback captures it: invisible to the collector
  std::string name;
  std::function<void()> on_close;
};

struct Config {
  int level = 1;
};

struct Spin {
  cyc::Handle<Spin> next;
  CYC_TRACE(next)
};

}  // namespace e2e

namespace {

cyc::Handle<e2e::Config> g_config = cyc::make<e2e::Config>();  // dropped by static destruction

void leave_things_behind() {
  auto leaky = cyc::make<e2e::Leaky>();
  leaky->next = leaky;
  auto session = cyc::make<e2e::Session>();
  session->name = "main";
  session->on_close = [session] { std::printf("closing %s\n", session->name.c_str()); };
}

void spin(int rounds) {
  for (int i = 0; i < rounds; ++i) {
    {
      auto s = cyc::make<e2e::Spin>();
      s->next = s;
    }
    cyc::gc::collect();
  }
}

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: report_program return|exit|threads N|procs N\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  cyc::gc::disable();  // only the collections the program asks for (and the one at exit)
  if (argc < 2) usage();
  const std::string mode = argv[1];
  if (mode == "return" || mode == "exit") {
    leave_things_behind();
    std::printf("config level %d\n", g_config->level);
    if (mode == "exit") std::exit(3);
    return 0;
  }
  if (argc < 3) usage();
  const int n = std::atoi(argv[2]);
  if (mode == "threads") {
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) threads.emplace_back(spin, 100);
    for (auto& t : threads) t.join();
    return 0;
  }
  if (mode == "procs") {
    std::vector<pid_t> children;
    for (int i = 0; i < n; ++i) {
      const pid_t pid = ::fork();
      if (pid < 0) return 1;
      if (pid == 0) {
        spin(100);
        std::exit(0);  // a normal exit: the child's final report too
      }
      children.push_back(pid);
    }
    int failed = 0;
    for (pid_t pid : children) {
      int status = 0;
      if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
    }
    return failed ? 1 : 0;
  }
  usage();
}
