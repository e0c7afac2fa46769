// The shell's variables and parameters.

#include "shell.h"

namespace stellina::sh {

Variable* Shell::find_variable(StringView name) {
  for (Variable& v : variables_)
    if (v.name.view() == name) return &v;
  return nullptr;
}

const Variable* Shell::find_variable(StringView name) const {
  for (const Variable& v : variables_)
    if (v.name.view() == name) return &v;
  return nullptr;
}

const Text* Shell::variable(StringView name) const {
  const Variable* v = find_variable(name);
  return v && v->set ? &v->value : nullptr;
}

bool Shell::set_variable(StringView name, StringView value, bool exported) {
  if (!assign(name, value)) return false;
  if (exported) find_variable(name)->exported = true;
  return true;
}

bool Shell::assign(StringView name, StringView value) {
  Variable* v = find_variable(name);
  if (v && v->readonly) {
    error(name, "is read only");
    return false;
  }
  if (!v) {
    if (!is_name(name)) {
      error(name, "bad variable name");
      return false;
    }
    if (variables_.size() == variables_.limit()) {
      error(name, "too many variables");
      return false;
    }
    Variable fresh;
    fresh.name.assign(name);
    if (fresh.name.failed()) {
      no_memory();
      return false;
    }
    variables_.push(static_cast<Variable&&>(fresh));
    if (variables_.failed()) {
      variables_.clear_failure();
      no_memory();
      return false;
    }
    v = &variables_.back();
  }
  Text value_copy(value);
  if (value_copy.failed()) {
    no_memory();
    return false;
  }
  v->value = static_cast<Text&&>(value_copy);
  v->set = true;
  // The special variables that the shell itself reads are taken into account here.
  if (name == "PWD") {
    // Only an absolute PWD names the directory; a relative one is left for cd to fix.
    if (!value.empty() && value[0] == '/') absolute(value, cwd_);
  }
  return true;
}

bool Shell::assign_word(StringView assignment) {
  const size_t eq = assignment.find('=');
  return assign(assignment.substr(0, eq), assignment.substr(eq + 1));
}

bool Shell::unset_variable(StringView name) {
  for (size_t i = 0; i < variables_.size(); ++i) {
    if (variables_[i].name.view() != name) continue;
    if (variables_[i].readonly) {
      error("unset", name, "is read only");
      return false;
    }
    // Keep the order: move the last one into the hole.
    const size_t last = variables_.size() - 1;
    if (i != last) variables_[i] = static_cast<Variable&&>(variables_[last]);
    variables_.pop();
    return true;
  }
  return true;
}

bool Shell::positional(size_t n, StringView* value) const {
  if (n == 0) {
    *value = name_.view();
    return true;
  }
  if (n > positional_.size()) return false;
  *value = positional_[n - 1].view();
  return true;
}

bool Shell::special_parameter(char c, Text& out) const {
  switch (c) {
    case '?': out.append_number(status_); return true;
    case '#': out.append_number(static_cast<int64_t>(positional_.size())); return true;
    case '$': out.append_number(host_.shell_id()); return true;
    case '!':
      if (!has_background_) return false;
      out.append_number(last_background_);
      return true;
    case '-':
      for (char o : options_)
        if (o) out.append(o);
      if (interactive_) out.append('i');
      return true;
    case '0': out.append(name_.view()); return true;
    default: return false;
  }
}

}  // namespace stellina::sh
