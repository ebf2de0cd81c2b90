// fake_backend.cpp - see fake_backend.h.
#include "fake_backend.h"

#include <algorithm>
#include <cstdlib>

namespace fake_backend {

using cyc::device::Error;

FakeBackend::~FakeBackend() {
  for (auto& [p, bytes] : live_) std::free(p);
}

void FakeBackend::refuse_next(int count) {
  std::lock_guard<std::mutex> g(mu_);
  refuse_count_ = count;
}

void FakeBackend::refuse_above(std::size_t bytes) {
  std::lock_guard<std::mutex> g(mu_);
  refuse_above_ = bytes;
}

void FakeBackend::throw_next_allocate() {
  std::lock_guard<std::mutex> g(mu_);
  throw_allocate_ = true;
}

void FakeBackend::throw_next_deallocate() {
  std::lock_guard<std::mutex> g(mu_);
  throw_deallocate_ = true;
}

std::vector<std::size_t> FakeBackend::requests() const {
  std::lock_guard<std::mutex> g(mu_);
  return requests_;
}

std::size_t FakeBackend::deallocations() const {
  std::lock_guard<std::mutex> g(mu_);
  return deallocations_;
}

std::size_t FakeBackend::live_bytes() const {
  std::lock_guard<std::mutex> g(mu_);
  return live_bytes_;
}

std::size_t FakeBackend::peak_live_bytes() const {
  std::lock_guard<std::mutex> g(mu_);
  return peak_live_bytes_;
}

std::size_t FakeBackend::live_segments() const {
  std::lock_guard<std::mutex> g(mu_);
  return live_.size();
}

bool FakeBackend::refuses(std::size_t bytes) {
  if (refuse_count_ > 0) {
    --refuse_count_;
    return true;
  }
  return (refuse_above_ && bytes > *refuse_above_) || bytes > total_ - live_bytes_;
}

void* FakeBackend::allocate(std::size_t bytes) {
  std::lock_guard<std::mutex> g(mu_);
  requests_.push_back(bytes);
  if (throw_allocate_) {
    throw_allocate_ = false;
    throw Error("fake backend: allocate(" + std::to_string(bytes) + ") failed as asked");
  }
  if (refuses(bytes)) return nullptr;
  void* p = std::aligned_alloc(cyc::device::kBlockRounding, bytes);
  if (!p) return nullptr;
  live_[p] = bytes;
  live_bytes_ += bytes;
  peak_live_bytes_ = std::max(peak_live_bytes_, live_bytes_);
  return p;
}

void FakeBackend::deallocate(void* ptr, std::size_t bytes) {
  std::lock_guard<std::mutex> g(mu_);
  if (throw_deallocate_) {
    throw_deallocate_ = false;
    throw Error("fake backend: deallocate(" + std::to_string(bytes) + ") failed as asked");
  }
  auto it = live_.find(ptr);
  if (it == live_.end() || it->second != bytes)
    throw Error("fake backend: deallocate of " + std::to_string(bytes) + " bytes that were not allocated so");
  live_.erase(it);
  live_bytes_ -= bytes;
  ++deallocations_;
  std::free(ptr);
}

cyc::device::detail::MemInfo FakeBackend::mem_info() {
  std::lock_guard<std::mutex> g(mu_);
  return {total_ - live_bytes_, total_};
}

cyc::device::Stream FakeBackend::create_stream() {
  std::lock_guard<std::mutex> g(mu_);
  return cyc::device::Stream(next_stream_++);
}

}  // namespace fake_backend
