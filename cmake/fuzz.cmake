# libFuzzer harnesses (tests/fuzz/fuzz_<target>.c), built with -DIMGAUDIT_FUZZ=ON in a build directory of
# their own (scripts/fuzz.sh: build-fuzz/) with clang: everything is instrumented for coverage and checked by
# ASan+UBSan (CMakeLists.txt), and each harness links libFuzzer's main.
# `cmake --build build-fuzz --target fuzz` builds them all.

add_library(imgaudit_fuzz_support STATIC ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz.c)
target_compile_options(imgaudit_fuzz_support PRIVATE ${IMGAUDIT_WARNINGS})
target_link_libraries(imgaudit_fuzz_support PUBLIC imgaudit_core)

add_custom_target(fuzz)
file(GLOB IMGAUDIT_FUZZERS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
foreach(src ${IMGAUDIT_FUZZERS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_compile_options(${name} PRIVATE ${IMGAUDIT_WARNINGS})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests/fuzz)
  target_link_libraries(${name} PRIVATE imgaudit_fuzz_support)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  add_dependencies(fuzz ${name})
endforeach()
