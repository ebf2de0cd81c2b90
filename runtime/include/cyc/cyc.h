// cyc/cyc.h - everything libcyc offers: handles, tracing, make<T>, and the cycle collector.
//
// See <cyc/handle.h> (Handle, Weak, handle_cast), <cyc/trace.h> (trace hooks, CYC_TRACE),
// <cyc/make.h> (make<T>) and <cyc/gc.h> (the collector, cyc::gc).
#pragma once

#include <cyc/gc.h>
#include <cyc/handle.h>
#include <cyc/make.h>
#include <cyc/trace.h>
