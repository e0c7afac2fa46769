#pragma once
// A circular doubly linked list whose nodes live inside the elements, so inserting never
// allocates and never fails. An element may sit on one list per ListNode member it has.

#include <cstddef>

namespace lib {

struct ListNode {
  ListNode* prev = nullptr;
  ListNode* next = nullptr;

  bool linked() const { return next != nullptr; }
};

template <typename T, ListNode T::*Node>
class IntrusiveList {
 public:
  IntrusiveList() { head_.prev = head_.next = &head_; }
  IntrusiveList(const IntrusiveList&) = delete;
  IntrusiveList& operator=(const IntrusiveList&) = delete;

  bool empty() const { return head_.next == &head_; }
  size_t size() const { return size_; }

  void push_back(T* item) { insert_before(&head_, &(item->*Node)); }
  void push_front(T* item) { insert_before(head_.next, &(item->*Node)); }

  // Inserts item before pos (pos == nullptr appends).
  void insert_before(T* pos, T* item) {
    insert_before(pos ? &(pos->*Node) : &head_, &(item->*Node));
  }

  T* front() const { return empty() ? nullptr : owner(head_.next); }
  T* back() const { return empty() ? nullptr : owner(head_.prev); }
  T* next(T* item) const {
    ListNode* n = (item->*Node).next;
    return n == &head_ ? nullptr : owner(n);
  }

  T* pop_front() {
    T* item = front();
    if (item) remove(item);
    return item;
  }

  void remove(T* item) {
    ListNode* n = &(item->*Node);
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = nullptr;
    --size_;
  }

  // Iteration that tolerates removing the current element.
  template <typename F>
  void for_each(F&& f) {
    for (ListNode* n = head_.next; n != &head_;) {
      ListNode* next = n->next;
      f(owner(n));
      n = next;
    }
  }

 private:
  static T* owner(ListNode* n) {
    // offsetof for a pointer-to-member, measured on raw storage (never dereferenced).
    alignas(T) static unsigned char probe[sizeof(T)];
    T* base = reinterpret_cast<T*>(probe);
    const size_t offset = reinterpret_cast<char*>(&(base->*Node)) - reinterpret_cast<char*>(base);
    return reinterpret_cast<T*>(reinterpret_cast<char*>(n) - offset);
  }
  void insert_before(ListNode* pos, ListNode* n) {
    n->next = pos;
    n->prev = pos->prev;
    pos->prev->next = n;
    pos->prev = n;
    ++size_;
  }

  ListNode head_;
  size_t size_ = 0;
};

}  // namespace lib
