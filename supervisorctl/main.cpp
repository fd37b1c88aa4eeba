#include <cstdio>
// supervisorctl arrives with the API issue (#4); until then it only says so.
int main() {
  std::fprintf(stderr, "supervisorctl: not built yet (see issue 4)\n");
  return 1;
}
