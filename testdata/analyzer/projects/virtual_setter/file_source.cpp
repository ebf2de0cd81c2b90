#include "file_source.h"

#include <utility>

namespace virtset {

void FileSource::set_sink(std::function<void()> f) { sink_ = std::move(f); }

void FileSource::read() {
  if (sink_) sink_();
}

}  // namespace virtset
