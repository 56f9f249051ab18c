# Each tests/test_<module>.c is one CUnit suite, built against imgaudit_core and registered as its own test,
# so `ctest -R sigv4` runs one area.
set(IMGAUDIT_TEST_ENV
    "IMGAUDIT_SOURCE_DIR=${CMAKE_SOURCE_DIR}"
    "IMGAUDIT_BIN=$<TARGET_FILE:imgaudit>"
    "IMGAUDIT_MAN=${IMGAUDIT_MAN}"
    "IMGAUDIT_COMPLETION=${IMGAUDIT_COMPLETION}"
    "IMGAUDIT_BUILD_DIR=${CMAKE_BINARY_DIR}")
file(GLOB IMGAUDIT_UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/test_*.c)
foreach(src ${IMGAUDIT_UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src} ${CMAKE_SOURCE_DIR}/tests/testutil.c)
  target_compile_options(${name} PRIVATE ${IMGAUDIT_WARNINGS})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE imgaudit_core PkgConfig::CUNIT)
  string(REPLACE "test_" "" short ${name})
  add_test(NAME unit_${short} COMMAND ${name})
  set_tests_properties(unit_${short} PROPERTIES ENVIRONMENT "${IMGAUDIT_TEST_ENV}" TIMEOUT 300)
endforeach()
add_dependencies(test_cli_man man)
add_dependencies(test_cli_completion completion)

# Integration tests are scripts that start their own servers on 127.0.0.1 and stop them afterwards.
file(GLOB IMGAUDIT_IT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/it_*.sh)
foreach(src ${IMGAUDIT_IT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  string(REPLACE "it_" "" short ${name})
  add_test(NAME it_${short} COMMAND bash ${src})
  set_tests_properties(it_${short} PROPERTIES ENVIRONMENT "${IMGAUDIT_TEST_ENV}" TIMEOUT 600)
endforeach()
