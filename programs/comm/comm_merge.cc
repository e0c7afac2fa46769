#include "programs/comm/comm_merge.h"

namespace text {

namespace {

int compare(lib::StringView a, lib::StringView b) {
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  const int c = n ? __builtin_memcmp(a.data(), b.data(), n) : 0;
  if (c) return c;
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

}  // namespace

CommResult comm_merge(LineSource* const files[2], ByteStore* const kept[2], const bool show[3],
                      lib::Sink& out) {
  CommResult r;
  lib::StringView line[2];
  bool valid[2], have_previous[2] = {false, false};
  // The next line of file i, checked against the one before it.
  const auto advance = [&](int i) {
    if (valid[i]) {
      if (!kept[i]->assign(line[i])) r.out_of_memory = true;
      have_previous[i] = true;
    }
    valid[i] = files[i]->next(&line[i]);
    if (valid[i] && have_previous[i] && compare(line[i], kept[i]->view()) < 0) r.unsorted[i] = true;
  };
  const auto emit = [&](int column, lib::StringView text) {
    if (!show[column]) return;
    for (int c = 0; c < column; ++c)
      if (show[c]) out.write("\t", 1);
    out.write(text.data(), text.size());
    out.write("\n", 1);
  };
  valid[0] = valid[1] = false;
  advance(0);
  advance(1);
  while ((valid[0] || valid[1]) && !r.out_of_memory) {
    int order;
    if (!valid[0]) {
      order = 1;
    } else if (!valid[1]) {
      order = -1;
    } else {
      order = compare(line[0], line[1]);
    }
    if (order < 0) {
      emit(0, line[0]);
      advance(0);
    } else if (order > 0) {
      emit(1, line[1]);
      advance(1);
    } else {
      emit(2, line[0]);
      advance(0);
      advance(1);
    }
  }
  return r;
}

}  // namespace text
