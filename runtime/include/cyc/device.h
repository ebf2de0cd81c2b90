// cyc/device.h - device memory: a caching allocator with a CUDA and a host backend, and
// collectable owners of device memory. Shaped like torch.cuda's memory API.
//
//   auto b = cyc::device::empty(4 << 20);      // Handle<Buffer>: 4 MiB of device memory
//   cyc::device::memory_allocated();           // 4194304
//   auto li = cyc::make<std::vector<cyc::Handle<>>>();
//   li->push_back(b);  li->push_back(li);      // li = [b]; li.append(li)
//   b.reset();  li.reset();                    // unreachable, still allocated
//   cyc::gc::collect();                        // the cycle and its 4 MiB are freed
//
// Backends. CYC_DEVICE=cuda|host|auto (unset or empty: auto) chooses, once, on the first call
// into this header. `cuda` serves memory with cudaMalloc on the current CUDA device of the
// thread that makes that first call; `host` serves it from host memory and behaves the same
// (useful and tested on machines without a GPU); `auto` takes CUDA when libcyc was built
// with the CUDA Toolkit and a device is usable, else the host backend, and says why in
// backend_note(). CYC_DEVICE_CAPACITY (e.g. `64MiB`, `1.5GiB`, `1048576`) caps the memory the
// allocator may reserve from either backend, so that running out can be tested anywhere;
// without it the host backend's capacity is the machine's physical memory and the CUDA
// backend's is the device's. A bad value of either variable makes every call here throw
// ConfigError, whose message names the variable and the accepted values.
//
// The caching allocator (in the spirit of PyTorch's CUDA caching allocator; the sizes named
// here are defined, with their values, under "the caching allocator's sizes" below). Requests
// are rounded up to a multiple of kBlockRounding. Requests up to kSmallPoolMaxRequest come
// from the small pool, carved from segments of kSmallSegmentSize; larger ones from the large
// pool: requests below kOwnSegmentMinRequest share segments of kLargeSegmentSize, requests of
// kOwnSegmentMinRequest and more get a segment of their size rounded up to
// kLargeSegmentRounding (and when a shared segment does not fit, one of the request's size
// rounded up to kLargeSegmentRounding is tried before the cache is freed). A request takes
// the smallest cached free block of its pool and stream that is large enough (best fit),
// splitting off the rest when that is at least kBlockRounding (small pool) or more than
// kSmallPoolMaxRequest (large pool). A freed block returns to the cache, merged with free
// neighbours in its segment; it is reused only by requests on the stream it was allocated
// on. empty_cache() returns every segment with no block in use to the backend.
//
// Running out. When a request can be met neither from the cache nor by a new segment, the
// allocator (1) returns all unused cached segments to the backend and retries, then (2) runs
// a full cycle collection (cyc::gc::collect()) on the calling thread, so that garbage
// cycles holding device memory give it back, and retries, and only then (3) throws
// OutOfMemory. Step 2 runs whether or not automatic collection is enabled (gc::disable()
// turns off the allocation-count trigger only); set_collect_on_oom(false) turns it off. Like
// an automatic collection, it runs only where a collection may start unasked: while the
// process has one thread, or anywhere after gc::set_automatic(gc::Automatic::kAnyThread)
// (<cyc/gc.h>, Threading); otherwise the OutOfMemory message says it was not run.
//
// Threading: every function here may be called from any thread; allocation and free from
// many threads at once are safe (one mutex per allocator, never held while the collector or
// user code runs). An Allocation or Buffer object is not itself synchronized. The cycle
// collection of step 2 runs on the allocating thread under the collector's contract
// (<cyc/gc.h>): it must not run concurrently with writes to traced fields of the object
// graph it examines - the same rule, and the same default, as for automatic collections.
//
// Complexity: a request served from the cache and a free cost O(log n) in the number of
// cached free blocks plus one uncontended lock; new segments cost one backend call.
// memory_stats() is O(1); memory_snapshot() and the message of OutOfMemory are O(blocks).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

#include <cyc/handle.h>

namespace cyc::device {

namespace detail {
class DeviceAllocator;
struct Block;
struct AllocationAccess;
}  // namespace detail

// ---- the caching allocator's sizes --------------------------------------------------------
//
// The one definition of the sizes the policy above names; the allocator's code uses these.
// Every segment size is a multiple of kBlockRounding and blocks start at multiples of it
// within their segment, so a backend that aligns segments to kBlockRounding aligns every
// block too.

// Requests round up to a multiple of this; it is also the smallest block, and the least the
// small pool splits off.
inline constexpr std::size_t kBlockRounding = 512;
// The largest request the small pool serves. The large pool splits off only remainders
// larger than this: a smaller one could serve no request of the large pool.
inline constexpr std::size_t kSmallPoolMaxRequest = std::size_t{1} << 20;
// The size of every small pool segment.
inline constexpr std::size_t kSmallSegmentSize = std::size_t{2} << 20;
// The size of the large pool's shared segments, for requests below kOwnSegmentMinRequest.
inline constexpr std::size_t kLargeSegmentSize = std::size_t{20} << 20;
// Requests of this size or more get a segment of their own.
inline constexpr std::size_t kOwnSegmentMinRequest = std::size_t{10} << 20;
// Segments of their own (and the fallback for a shared segment that does not fit) are the
// request rounded up to a multiple of this.
inline constexpr std::size_t kLargeSegmentRounding = std::size_t{2} << 20;

// ---- errors ------------------------------------------------------------------------------

// Every error of this header: a backend call that failed (the message names the call and
// the backend's error), a misuse (destroying the default stream), ...
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A bad CYC_DEVICE or CYC_DEVICE_CAPACITY (or CYC_DEVICE=cuda where CUDA is not usable).
class ConfigError : public Error {
 public:
  ConfigError(std::string variable, std::string value, const std::string& message)
      : Error(message), variable_(std::move(variable)), value_(std::move(value)) {}
  const std::string& variable() const noexcept { return variable_; }  // "CYC_DEVICE"
  const std::string& value() const noexcept { return value_; }        // what it was set to

 private:
  std::string variable_;
  std::string value_;
};

// Thrown when a request cannot be met after the cache was freed and the cycle collector ran.
// what() gives the request, the capacity, allocated and reserved bytes and the largest live
// owners by type.
class OutOfMemory : public Error {
 public:
  struct Owner {
    std::string type;        // the owning type, e.g. "cyc::device::Buffer"
    std::size_t blocks = 0;  // live blocks it owns
    std::size_t bytes = 0;   // their bytes (block sizes)
  };
  OutOfMemory(const std::string& message, std::size_t requested, std::size_t capacity,
              std::size_t allocated, std::size_t reserved, std::vector<Owner> owners)
      : Error(message), requested_(requested), capacity_(capacity), allocated_(allocated),
        reserved_(reserved), owners_(std::move(owners)) {}
  std::size_t requested() const noexcept { return requested_; }
  std::size_t capacity() const noexcept { return capacity_; }
  std::size_t allocated() const noexcept { return allocated_; }
  std::size_t reserved() const noexcept { return reserved_; }
  const std::vector<Owner>& owners() const noexcept { return owners_; }  // largest first

 private:
  std::size_t requested_, capacity_, allocated_, reserved_;
  std::vector<Owner> owners_;
};

// ---- streams -----------------------------------------------------------------------------

// An execution stream. Stream{} is the default stream. On the CUDA backend native() is the
// cudaStream_t (reinterpret_cast it back); the host backend runs everything synchronously and
// its streams are labels that keep cached blocks apart, so code written for CUDA streams runs
// unchanged. Cached blocks are reused only by requests on the stream they were allocated on.
class Stream {
 public:
  constexpr Stream() noexcept = default;
  constexpr explicit Stream(std::uintptr_t native) noexcept : native_(native) {}
  constexpr std::uintptr_t native() const noexcept { return native_; }
  constexpr bool is_default() const noexcept { return native_ == 0; }
  friend constexpr bool operator==(Stream, Stream) noexcept = default;
  friend constexpr auto operator<=>(Stream, Stream) noexcept = default;

 private:
  std::uintptr_t native_ = 0;
};

// A new stream (CUDA: cudaStreamCreateWithFlags(cudaStreamNonBlocking)). Throws Error.
Stream create_stream();
// Waits for the stream, then destroys it. Blocks cached for it stay cached (empty_cache()
// returns them). Throws Error for the default stream or a stream not made by create_stream.
void destroy_stream(Stream stream);
// Waits until the work queued on the stream is done (host: returns at once). Throws Error.
void synchronize(Stream stream = Stream{});

// ---- owning device memory ----------------------------------------------------------------

// A block of device memory from the caching allocator, freed (back to the cache) by its
// destructor. Move-only. For types that own device memory directly and want their type named
// in memory_snapshot() and OutOfMemory messages:
//
//   struct Tensor {
//     cyc::device::Allocation mem;
//     explicit Tensor(std::size_t n) : mem(n, {}, typeid(Tensor)) {}
//     std::size_t cyc_device_bytes() const { return mem.capacity(); }  // for gc reports
//   };
//
// Allocation(0) holds nothing (data() is null), like torch.empty(0).
class Allocation {
 public:
  Allocation() noexcept = default;
  // Throws OutOfMemory (see "Running out"), ConfigError, or Error for a backend failure.
  explicit Allocation(std::size_t bytes, Stream stream = Stream{},
                      const std::type_info& owner = typeid(Allocation));
  Allocation(Allocation&& other) noexcept;
  Allocation& operator=(Allocation&& other) noexcept;
  Allocation(const Allocation&) = delete;
  Allocation& operator=(const Allocation&) = delete;
  ~Allocation() { reset(); }

  void* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }          // bytes requested
  std::size_t capacity() const noexcept { return capacity_; }  // bytes of the block (>= size)
  Stream stream() const noexcept { return stream_; }
  explicit operator bool() const noexcept { return block_ != nullptr; }

  // Returns the block to the cache (no-op when empty). Never calls the backend.
  void reset() noexcept;
  // Names the type that owns the block in snapshots and out-of-memory messages.
  void set_owner(const std::type_info& owner) noexcept;

 private:
  detail::DeviceAllocator* allocator_ = nullptr;
  detail::Block* block_ = nullptr;
  void* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  Stream stream_{};
  friend struct detail::AllocationAccess;
};

// The collectable owner of device memory that empty() returns, like a torch tensor's
// storage. It holds no handles, so it is freed the moment its last handle goes; it can sit
// in any container or field and in cycles, and cycle reports (gc::CollectReport) count its
// bytes as the device bytes the cycle held.
class Buffer {
 public:
  explicit Buffer(std::size_t bytes, Stream stream = Stream{})
      : memory_(bytes, stream, typeid(Buffer)) {}
  explicit Buffer(Allocation memory) noexcept : memory_(std::move(memory)) {}

  void* data() const noexcept { return memory_.data(); }
  std::size_t size() const noexcept { return memory_.size(); }
  Stream stream() const noexcept { return memory_.stream(); }
  const Allocation& memory() const noexcept { return memory_; }
  // Device bytes held, for collector reports: the block's size, as memory_allocated() counts.
  std::size_t cyc_device_bytes() const noexcept { return memory_.capacity(); }

 private:
  Allocation memory_;
};

// `bytes` of uninitialized device memory on `stream`, owned by a new Buffer. Like make<T>,
// it may first run an automatic collection on the calling thread. Throws OutOfMemory,
// ConfigError or Error.
Handle<Buffer> empty(std::size_t bytes, Stream stream = Stream{});

// ---- statistics (torch.cuda.memory_stats) ------------------------------------------------

// One statistic: its current value, the peak since reset_peak_memory_stats(), and the totals
// added and removed since reset_accumulated_memory_stats().
struct Stat {
  std::int64_t current = 0;
  std::int64_t peak = 0;
  std::int64_t allocated = 0;
  std::int64_t freed = 0;
};

// A statistic for both pools together and for each.
struct StatArray {
  Stat all;
  Stat small_pool;  // requests up to kSmallPoolMaxRequest
  Stat large_pool;
};

struct MemoryStats {
  StatArray allocation;            // blocks in use (count)
  StatArray segment;               // segments reserved from the backend (count)
  StatArray active;                // blocks in use or awaiting reuse (count; equals allocation)
  StatArray inactive_split;        // free blocks inside partly used segments (count)
  StatArray allocated_bytes;       // bytes of blocks in use (rounded sizes)
  StatArray reserved_bytes;        // bytes of segments
  StatArray active_bytes;          // equals allocated_bytes: frees are never deferred
  StatArray inactive_split_bytes;  // bytes of inactive split blocks (fragmentation)
  StatArray requested_bytes;       // bytes asked for by the blocks in use (unrounded)
  std::int64_t num_alloc_retries = 0;    // requests that had to free the cache and retry
  std::int64_t num_oom_collections = 0;  // cycle collections run because memory ran out
  std::int64_t num_ooms = 0;             // OutOfMemory thrown

  // torch-style flat keys: "allocated_bytes.all.current", "reserved_bytes.large_pool.peak",
  // "num_alloc_retries", ...
  std::map<std::string, std::int64_t> to_map() const;
};

std::size_t memory_allocated();      // allocated_bytes.all.current
std::size_t max_memory_allocated();  // allocated_bytes.all.peak
std::size_t memory_reserved();       // reserved_bytes.all.current
std::size_t max_memory_reserved();   // reserved_bytes.all.peak
MemoryStats memory_stats();
void reset_peak_memory_stats();         // every peak := its current value
void reset_accumulated_memory_stats();  // every allocated/freed total and counter := 0

// Returns cached segments with no block in use to the backend. Throws Error if the backend
// fails to free one (that segment and the rest stay cached).
void empty_cache();

// JSON: {"backend","capacity","allocated","reserved","segments":[{"address","stream","pool",
// "total_size","allocated_size","blocks":[{"address","offset","size","requested_size",
// "state":"active_allocated"|"inactive","owner"}]}]}, segments by address; "owner" is the
// type owning a live block (null for free blocks).
std::string memory_snapshot();

// ---- backend -----------------------------------------------------------------------------

std::string backend();       // "cuda" or "host"
std::string backend_note();  // why `auto` chose the host backend ("" otherwise)
std::string backend_description();  // e.g. "cuda device 0 (NVIDIA H100, 79.1 GiB)"
// The most bytes the allocator may reserve: CYC_DEVICE_CAPACITY, else the backend's total.
std::size_t capacity();

// Whether running out runs a cycle collection before OutOfMemory (default true).
void set_collect_on_oom(bool enabled);
bool collect_on_oom();

}  // namespace cyc::device
