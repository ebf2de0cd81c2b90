// capture-cycle with cyc::Handle: a callback that holds the object that stores it. A lambda
// (in a std::function or a cyc::Function) or a std::bind hides the handle from the cycle
// collector: a leak that no collection frees. A cyc::closure in a traced cyc::Function is a
// cycle the collector sees: collectable, alive until cyc::gc::collect().
#include <cyc/cyc.h>

#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace capcyc {

struct Job {
  std::function<void()> on_done;
  cyc::Function<void()> traced_done;
  cyc::Function<void()> untraced_done;
  std::vector<cyc::Function<void()>> hooks;

  void set_on_done(std::function<void()> f) { on_done = std::move(f); }
  void set_traced(cyc::Function<void()> f) { traced_done = std::move(f); }
  void finish() {}
  CYC_TRACE(traced_done, hooks)
};

void finish_job(cyc::Handle<Job> &job) { job->finish(); }

// Leaks: the collector cannot see the captured handle.

void lambda_in_std_function() {
  auto job = cyc::make<Job>();
  job->on_done = [job] { job->finish(); };  // expected-warning {{capture-cycle: lambda stored in 'capcyc::Job.on_done' holds 'job', a strong cyc::Handle to the object that stores it: a leak that no collection frees, because the collector cannot see a lambda's captures inside a std::function; capture a cyc::Weak<capcyc::Job> and lock() it inside, or store cyc::closure(fn, handles...) in a cyc::Function}}
}

void lambda_in_cyc_function() {
  auto job = cyc::make<Job>();
  job->traced_done = [job] { job->finish(); };  // expected-warning {{capture-cycle: lambda stored in 'capcyc::Job.traced_done' holds 'job', a strong cyc::Handle to the object that stores it: a leak that no collection frees, because the collector cannot see a lambda's captures, not even in a cyc::Function}}
}

void implicit_capture() {
  auto job = cyc::make<Job>();
  job->on_done = [=] { job->finish(); };  // expected-warning {{capture-cycle: lambda stored in 'capcyc::Job.on_done' holds 'job'}}
}

void bound_argument() {
  auto job = cyc::make<Job>();
  job->on_done = std::bind(&Job::finish, job);  // expected-warning {{capture-cycle: std::bind stored in 'capcyc::Job.on_done' holds 'job', a strong cyc::Handle to the object that stores it: a leak that no collection frees, because the collector cannot see std::bind's arguments inside a std::function}}
}

void closure_in_std_function() {
  auto job = cyc::make<Job>();
  job->on_done = cyc::closure(finish_job, job);  // expected-warning {{capture-cycle: cyc::closure stored in 'capcyc::Job.on_done' holds 'job', a strong cyc::Handle to the object that stores it: a leak that no collection frees, because a std::function hides cyc::closure's handles from the collector; store the cyc::closure in a cyc::Function}}
}

void closure_in_untraced_field() {
  auto job = cyc::make<Job>();
  job->untraced_done = cyc::closure(finish_job, job);  // expected-warning {{capture-cycle: a leak that no collection frees, because the trace hook of 'capcyc::Job' does not visit 'untraced_done'; trace 'untraced_done' (CYC_TRACE)}}
}

void closure_of_capturing_lambda() {
  auto job = cyc::make<Job>();
  job->traced_done = cyc::closure([job] { job->finish(); });  // expected-warning {{capture-cycle: cyc::closure stored in 'capcyc::Job.traced_done' holds 'job' (captured by the lambda it wraps), a strong cyc::Handle to the object that stores it: a leak that no collection frees, because the collector cannot see the captures of the lambda that cyc::closure wraps; pass the handle to cyc::closure as an argument instead of capturing it}}
}

void through_setter() {
  auto job = cyc::make<Job>();
  job->set_on_done([job] { job->finish(); });  // expected-warning {{capture-cycle: lambda stored in 'capcyc::Job.on_done' by set_on_done() holds 'job'}}
}

void lambda_around_a_closure() {
  auto job = cyc::make<Job>();
  cyc::Function<void()> inner = cyc::closure(finish_job, job);
  job->traced_done = [inner] { inner(); };  // expected-warning {{capture-cycle: lambda stored in 'capcyc::Job.traced_done' holds 'inner', which holds 'job', a strong cyc::Handle to the object that stores it: a leak that no collection frees, because the collector cannot see a lambda's captures, not even in a cyc::Function}}
  job->traced_done = inner;  // expected-warning {{capture-cycle: cyc::closure stored in 'capcyc::Job.traced_done' holds 'job', a strong cyc::Handle to the object that stores it: a collectable cycle}}
}

// Collectable: cyc::closure's handles are traced state of a traced cyc::Function.

void closure_in_cyc_function() {
  auto job = cyc::make<Job>();
  job->traced_done = cyc::closure([](cyc::Handle<Job> &self) { self->finish(); }, job);  // expected-warning {{capture-cycle: cyc::closure stored in 'capcyc::Job.traced_done' holds 'job', a strong cyc::Handle to the object that stores it: a collectable cycle: the objects stay alive until cyc::gc::collect(); pass a cyc::Weak<capcyc::Job> to cyc::closure instead}}
}

void closure_in_container_and_setter() {
  auto job = cyc::make<Job>();
  job->hooks.push_back(cyc::closure(finish_job, job));  // expected-warning {{capture-cycle: cyc::closure stored in 'capcyc::Job.hooks' holds 'job', a strong cyc::Handle to the object that stores it: a collectable cycle}}
  job->set_traced(cyc::closure(finish_job, job));  // expected-warning {{capture-cycle: cyc::closure stored in 'capcyc::Job.traced_done' by set_traced() holds 'job', a strong cyc::Handle to the object that stores it: a collectable cycle}}
}

// Through an object the captured one owns.

struct Worker {
  cyc::Function<void()> on_exit;
  std::function<void()> on_error;
  CYC_TRACE(on_exit)
};

struct Pool {
  cyc::Handle<Worker> worker;
  std::vector<cyc::Handle<Worker>> workers;
  std::shared_ptr<Worker> legacy;
  CYC_TRACE(worker, workers)
};

void finish_pool(cyc::Handle<Pool> &) {}

void owned_worker() {
  auto pool = cyc::make<Pool>();
  pool->worker = cyc::make<Worker>();
  pool->worker->on_error = [pool] { (void)pool; };  // expected-warning {{capture-cycle: lambda stored in 'capcyc::Worker.on_error' holds 'pool', a strong cyc::Handle to the 'capcyc::Pool' that owns the storing object: a leak that no collection frees, because the collector cannot see a lambda's captures inside a std::function}}
  pool->workers[0]->on_exit = cyc::closure(finish_pool, pool);  // expected-warning {{capture-cycle: cyc::closure stored in 'capcyc::Worker.on_exit' holds 'pool', a strong cyc::Handle to the 'capcyc::Pool' that owns the storing object: a collectable cycle: the objects stay alive until cyc::gc::collect()}}
  pool->legacy->on_exit = cyc::closure(finish_pool, pool);  // expected-warning {{capture-cycle: a leak that no collection frees, because 'capcyc::Pool.legacy' is a std::shared_ptr, which the collector does not trace}}
}

// Not cycles.

void weak_captures() {
  auto job = cyc::make<Job>();
  cyc::Weak<Job> weak = job;
  job->on_done = [weak] {
    if (auto j = weak.lock()) j->finish();
  };
  job->on_done = [w = cyc::Weak<Job>(job)] { (void)w; };
  job->traced_done = cyc::closure(
      [](cyc::Weak<Job> &w) {
        if (auto j = w.lock()) j->finish();
      },
      weak);
}

void other_objects() {
  auto a = cyc::make<Job>();
  auto b = cyc::make<Job>();
  b->on_done = [a] { a->finish(); };
  b->traced_done = cyc::closure(finish_job, a);
  auto pool = cyc::make<Pool>();
  auto loose = cyc::make<Worker>();
  loose->on_error = [pool] { (void)pool; };  // pool does not own this worker
}

void locals_and_references() {
  auto job = cyc::make<Job>();
  std::function<void()> cb = [job] { job->finish(); };
  cyc::Function<void()> f = cyc::closure(finish_job, job);
  cb();
  f();
  job->on_done = [&job] { job->finish(); };
}

struct Self {
  std::function<void()> cb;
  void arm() {
    cb = [this] { (void)this; };
  }
};

void suppressed() {
  auto job = cyc::make<Job>();
  job->on_done = [job] { job->finish(); };  // cyclops: ignore(capture-cycle)
}

}  // namespace capcyc
