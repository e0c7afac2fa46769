// C++ with libc++ for wasm32: containers, strings, algorithms, iostreams on stdout, files
// through fstream (path_open, fd_write, fd_read, fd_seek underneath), chrono's clocks, and
// stdin read with getline.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  std::vector<std::string> words{"delta", "alpha", "charlie", "bravo", "echo"};
  std::sort(words.begin(), words.end());
  std::cout << "sorted:";
  for (const auto& w : words) std::cout << ' ' << w;
  std::cout << '\n';

  std::map<std::string, size_t> lengths;
  for (const auto& w : words) lengths[w] = w.size();
  std::cout << "charlie has " << lengths["charlie"] << " letters\n";
  std::vector<int> n(100);
  std::iota(n.begin(), n.end(), 1);
  std::cout << "1+...+100 = " << std::accumulate(n.begin(), n.end(), 0) << '\n';
  std::cout << std::fixed << std::setprecision(4) << "pi ~ " << 355.0 / 113.0 << '\n';

  {
    std::ofstream out("table.txt");
    for (int i = 1; i <= 10; ++i) out << i << ' ' << i * i << '\n';
  }
  std::ifstream in("table.txt");
  int a = 0, b = 0, sum = 0;
  while (in >> a >> b) sum += b;
  std::cout << "sum of squares read back: " << sum << '\n';
  in.clear();
  in.seekg(0, std::ios::end);
  std::cout << "table.txt is " << in.tellg() << " bytes\n";
  in.close();
  std::remove("table.txt");
  std::cout << "removed: " << !std::ifstream("table.txt").good() << '\n';

  auto t0 = std::chrono::steady_clock::now();
  auto t1 = std::chrono::steady_clock::now();
  std::cout << "steady clock goes forward: " << (t1 >= t0) << '\n';
  auto since = std::chrono::system_clock::now().time_since_epoch();
  std::cout << "after 2020: "
            << (std::chrono::duration_cast<std::chrono::hours>(since).count() > 50LL * 365 * 24)
            << '\n';

  std::string line;
  size_t lines = 0, longest = 0;
  while (std::getline(std::cin, line)) {
    ++lines;
    longest = std::max(longest, line.size());
  }
  std::ostringstream report;
  report << lines << " lines on stdin, the longest " << longest << " bytes";
  std::cout << report.str() << std::endl;
  std::cerr << "argc " << argc << '\n';
  return 0;
}
