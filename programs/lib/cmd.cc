#include "programs/lib/cmd.h"

#include <stellina/heap.h>
#include <stellina/memory.h>

namespace cmd {

void Output::write(Bytes data) {
  const auto* bytes = static_cast<const char*>(data.data);
  for (size_t done = 0; done < data.size;) {
    if (used_ == sizeof(buffer_)) flush();
    size_t n = data.size - done;
    if (n > sizeof(buffer_) - used_) n = sizeof(buffer_) - used_;
    __builtin_memcpy(buffer_ + used_, bytes + done, n);
    used_ += n;
    done += n;
  }
}

void Output::flush() {
  if (used_ && !failed_ && !stream_.write(Bytes{buffer_, used_}).ok()) failed_ = true;
  used_ = 0;
}

Command::Command(ProgramEnv& p, const char* usage)
    : p_(p), name_(base_name(p.arg(0))), usage_(usage), out_(p.out()) {}

void Command::report(lib::StringView message) {
  out_.flush();
  char line[640];
  const size_t n = lib::format_to(line, sizeof(line), "{}: {}\n", name_, message);
  stellina::ignore(p_.err().write(Bytes{line, n < sizeof(line) ? n : sizeof(line) - 1}),
                   "the exit status says it too");
}

void Command::error_at(lib::StringView path, Status why) {
  error("{}: {}", path, stellina::status_name(why));
}

int64_t Command::help() {
  out_.write(lib::StringView(usage_));
  return finish(0);
}

int64_t Command::usage_error() {
  out_.flush();
  stellina::ignore(p_.err().write(lib::StringView(usage_)), "the exit status says it too");
  return 2;
}

int64_t Command::finish(int64_t code) {
  out_.flush();
  return out_.failed() && code == 0 ? 1 : code;
}

int Options::next() {
  const ProgramEnv& p = c_.env();
  value_ = lib::StringView();
  if (at_ == 0) {
    if (index_ >= p.argc()) return kEnd;
    const lib::StringView arg = p.arg(index_);
    if (arg == "--help") {
      ++index_;
      return kHelp;
    }
    if (arg == "--") {
      ++index_;
      return kEnd;
    }
    if (arg.size() < 2 || arg[0] != '-') return kEnd;
    at_ = 1;
  }
  const lib::StringView arg = p.arg(index_);
  const char letter = arg[at_++];
  const bool last = at_ == arg.size();
  const char* spec = spec_;
  while (*spec && *spec != letter) ++spec;
  if (!*spec || letter == ':') {
    c_.error("unknown option -{:c}", letter);
    if (last) ++index_, at_ = 0;
    return kBad;
  }
  if (spec[1] == ':') {
    if (!last) {
      value_ = arg.substr(at_);
    } else if (index_ + 1 < p.argc()) {
      value_ = p.arg(++index_);
    } else {
      c_.error("option -{:c} needs a value", letter);
      ++index_, at_ = 0;
      return kBad;
    }
    ++index_, at_ = 0;
    return letter;
  }
  if (last) ++index_, at_ = 0;
  return letter;
}

Result<void> Input::open(lib::StringView path) {
  if (path == "-") return {};
  file_ = TRY(p_.files().open(path));
  const stellina::abi::FileStat st = TRY(file_.stat());
  if ((st.mode & stellina::abi::kModeTypeMask) == stellina::abi::kModeDirectory)
    return stellina::abi::kErrIsDirectory;
  is_file_ = true;
  return {};
}

Result<size_t> Input::read(void* out, size_t size) {
  if (!is_file_) return p_.in().read(out, size);
  const size_t n = TRY(file_.read(at_, out, size));
  at_ += n;
  return n;
}

Result<bool> LineReader::next(lib::StringView* line) {
  for (;;) {
    for (size_t i = start_; i < end_; ++i) {
      if (buffer_[i] == '\n' || i - start_ == kMaxLine) {
        const bool newline = buffer_[i] == '\n';
        *line = lib::StringView(buffer_ + start_, i - start_);
        complete_ = newline;
        newline_ = newline;
        start_ = newline ? i + 1 : i;
        return true;
      }
    }
    if (eof_) {
      if (start_ == end_) return false;
      *line = lib::StringView(buffer_ + start_, end_ - start_);
      complete_ = true;
      newline_ = false;
      start_ = end_;
      return true;
    }
    if (start_ > 0) {  // keep the partial line at the front
      __builtin_memmove(buffer_, buffer_ + start_, end_ - start_);
      end_ -= start_;
      start_ = 0;
    }
    const size_t n = TRY(in_.read(buffer_ + end_, sizeof(buffer_) - end_));
    if (n == 0) eof_ = true;
    end_ += n;
  }
}

Buffer::~Buffer() {
  if (!data_) return;
  if (pages_) {
    stellina::ignore(stellina::free_pages(data_), "the program is ending");
  } else {
    stellina::heap_free(data_);
  }
}

Result<void> Buffer::reserve(size_t size) {
  if (size <= capacity_) return {};
  size_t capacity = capacity_ ? capacity_ : 256;
  while (capacity < size) {
    if (capacity > (SIZE_MAX >> 2)) return stellina::abi::kErrTooLarge;
    capacity *= 2;
  }
  const bool pages = capacity > stellina::kHeapMaxAllocation;
  void* fresh =
      pages ? TRY(stellina::allocate_pages(capacity)) : TRY(stellina::heap_allocate(capacity));
  if (data_) __builtin_memcpy(fresh, data_, size_);
  if (data_ && pages_) stellina::ignore(stellina::free_pages(data_), "its copy is in fresh");
  if (data_ && !pages_) stellina::heap_free(data_);
  data_ = static_cast<char*>(fresh);
  capacity_ = capacity;
  pages_ = pages;
  return {};
}

Result<void> Buffer::append(Bytes data) {
  if (data.size > SIZE_MAX - size_) return stellina::abi::kErrTooLarge;
  TRY(reserve(size_ + data.size));
  __builtin_memcpy(data_ + size_, data.data, data.size);
  size_ += data.size;
  return {};
}

}  // namespace cmd
