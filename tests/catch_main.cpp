// The one main() shared by every Catch2 test program (Catch2 v2, header-only).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
