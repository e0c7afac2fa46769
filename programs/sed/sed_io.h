#pragma once
// What sed's core (sed_script.h, sed_run.h) needs from outside, and the growable buffers it
// keeps in the memory it is given. Plain code: main.cc implements SedIo over the program's
// streams, files and heap; tests/unit/cmd/sed_test.cc over strings.

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

namespace text {

// The longest pattern space, hold space or script sed keeps (GNU has no bound; the silo's
// memory is one anyway).
constexpr size_t kSedMaxText = size_t{256} << 20;

class SedIo {
 public:
  // size bytes, or null when there is no memory. Given back with its size.
  virtual void* allocate(size_t size) = 0;
  virtual void release(void* p, size_t size) = 0;

  // The next line of input without its '\n' (the view lasts until the next call); false at
  // the end of the input. *newline: whether it ended in '\n' (a file's last line may not);
  // *new_file: whether it is the first line of a file after the first (for -s and -i).
  virtual bool next_line(lib::StringView* line, bool* newline, bool* new_file) = 0;
  // The line sed works on now is the first of another file (-s, -i: where output goes).
  virtual void file_changed() {}
  // The name of the file being read ("-" for stdin): the F command.
  virtual lib::StringView file_name() { return "-"; }

  // Bytes to the output (stdout, or the file edited in place).
  virtual void write(lib::StringView data) = 0;
  // A file for w: opened (and emptied) while the script is parsed; its id, or -1 with the
  // reason in *why (a static string). "/dev/stdout" and "/dev/stderr" are the streams.
  virtual int open_output(lib::StringView path, const char** why) = 0;
  virtual void write_to(int id, lib::StringView data) = 0;
  // r: the file's bytes to the output; nothing when it cannot be read, as POSIX says.
  virtual void copy_file(lib::StringView path) = 0;

 protected:
  ~SedIo() = default;
};

// A growable string of bytes in SedIo's memory, up to kSedMaxText. Whether an append
// failed is sticky: failed() says so until clear().
class SedText {
 public:
  explicit SedText(SedIo& io) : io_(&io) {}
  SedText(const SedText&) = delete;
  SedText& operator=(const SedText&) = delete;
  ~SedText() {
    if (data_) io_->release(data_, capacity_);
  }

  bool reserve(size_t size) {
    if (size <= capacity_) return true;
    if (size > kSedMaxText) return fail();
    size_t capacity = capacity_ ? capacity_ : 64;
    while (capacity < size) capacity *= 2;
    char* fresh = static_cast<char*>(io_->allocate(capacity));
    if (!fresh) return fail();
    if (size_) __builtin_memcpy(fresh, data_, size_);
    if (data_) io_->release(data_, capacity_);
    data_ = fresh;
    capacity_ = capacity;
    return true;
  }
  bool append(lib::StringView s) {
    if (s.size() > kSedMaxText - size_ || !reserve(size_ + s.size())) return fail();
    if (s.size()) __builtin_memcpy(data_ + size_, s.data(), s.size());
    size_ += s.size();
    return true;
  }
  bool push(char c) { return append(lib::StringView(&c, 1)); }
  bool assign(lib::StringView s) {
    size_ = 0;
    return append(s);
  }
  void clear() {
    size_ = 0;
    failed_ = false;
  }
  // Drops the first n bytes.
  void erase_front(size_t n) {
    if (n >= size_) {
      size_ = 0;
      return;
    }
    __builtin_memmove(data_, data_ + n, size_ - n);
    size_ -= n;
  }
  void swap(SedText& other) {
    exchange(io_, other.io_);
    exchange(data_, other.data_);
    exchange(size_, other.size_);
    exchange(capacity_, other.capacity_);
    exchange(failed_, other.failed_);
  }

  lib::StringView view() const { return lib::StringView(data_ ? data_ : "", size_); }
  char* data() { return data_; }
  size_t size() const { return size_; }
  bool failed() const { return failed_; }

 private:
  bool fail() {
    failed_ = true;
    return false;
  }
  template <typename T>
  static void exchange(T& a, T& b) {
    const T t = a;
    a = b;
    b = t;
  }

  SedIo* io_;
  char* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
  bool failed_ = false;
};

// A growable array of trivially copyable T in SedIo's memory.
template <typename T>
class SedArray {
 public:
  explicit SedArray(SedIo& io) : io_(io) {}
  SedArray(const SedArray&) = delete;
  SedArray& operator=(const SedArray&) = delete;
  ~SedArray() {
    if (items_) io_.release(items_, capacity_ * sizeof(T));
  }

  // Null when there is no memory.
  T* push(const T& item) {
    if (size_ == capacity_) {
      const size_t capacity = capacity_ ? capacity_ * 2 : 16;
      T* fresh = static_cast<T*>(io_.allocate(capacity * sizeof(T)));
      if (!fresh) return nullptr;
      if (size_) __builtin_memcpy(static_cast<void*>(fresh), items_, size_ * sizeof(T));
      if (items_) io_.release(items_, capacity_ * sizeof(T));
      items_ = fresh;
      capacity_ = capacity;
    }
    items_[size_] = item;
    return &items_[size_++];
  }
  void clear() { size_ = 0; }
  void pop() { --size_; }
  T& operator[](size_t i) { return items_[i]; }
  const T& operator[](size_t i) const { return items_[i]; }
  size_t size() const { return size_; }

 private:
  SedIo& io_;
  T* items_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace text
