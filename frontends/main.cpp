// Entry point of the `emu` command (placeholder until the option parser lands).
#include <cstdio>
int main() {
  std::fprintf(stderr, "emu: nothing here yet\n");
  return 2;
}
