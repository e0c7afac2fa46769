#include <lib/line_history.h>

namespace lib {

StringView LineHistory::entry(size_t index) const {
  if (index >= count_) return {};
  const size_t end = index + 1 < count_ ? starts_[index + 1] : used_;
  return StringView(bytes_ + starts_[index], end - starts_[index] - 1);  // without the '\n'
}

void LineHistory::drop_oldest(size_t entries) {
  if (entries >= count_) {
    clear();
    return;
  }
  const size_t gone = starts_[entries];
  for (size_t i = gone; i < used_; ++i) bytes_[i - gone] = bytes_[i];
  used_ -= gone;
  for (size_t i = entries; i < count_; ++i) starts_[i - entries] = starts_[i] - gone;
  count_ -= entries;
}

bool LineHistory::add(StringView line) {
  if (line.size() > kLineMax) return false;
  bool blank = true;
  for (char c : line) {
    const auto byte = static_cast<uint8_t>(c);
    if (byte < 0x20 || byte == 0x7f) return false;
    if (c != ' ') blank = false;
  }
  if (blank) return false;
  if (count_ > 0 && entry(count_ - 1) == line) return false;

  // Drop the oldest entries until the line and its newline fit.
  size_t drop = count_ == kMaxEntries ? 1 : 0;
  while (drop < count_ && used_ - starts_[drop] + line.size() + 1 > kMaxBytes) ++drop;
  drop_oldest(drop);

  starts_[count_++] = static_cast<uint32_t>(used_);
  for (char c : line) bytes_[used_++] = c;
  bytes_[used_++] = '\n';
  return true;
}

void LineHistory::parse(StringView text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == StringView::kNpos) end = text.size();
    StringView line = text.substr(start, end - start);
    if (line.ends_with("\r")) line = line.substr(0, line.size() - 1);
    add(line);
    start = end + 1;
  }
}

}  // namespace lib
