// cyc/cyc.h - everything libcyc offers: handles, tracing, make<T>, the cycle collector and device memory.
//
// See <cyc/handle.h> (Handle, Weak, handle_cast), <cyc/trace.h> (trace hooks, CYC_TRACE),
// <cyc/make.h> (make<T>), <cyc/gc.h> (the collector, cyc::gc), <cyc/function.h> (callbacks
// whose captured handles the collector sees: cyc::Function, cyc::closure) and <cyc/device.h>
// (device memory: the caching allocator, cyc::device).
#pragma once

#include <cyc/device.h>
#include <cyc/function.h>
#include <cyc/gc.h>
#include <cyc/handle.h>
#include <cyc/make.h>
#include <cyc/trace.h>
