# Registers the sanitizer half of the suite: the unit-test programs and fuzzers built by clang with
# ASan+UBSan in BALANCERD_SAN_DIR (tools/test.sh builds that tree first). Run as ordinary ctest tests.
if(BALANCERD_SAN_DIR)
  foreach(t parser_tests directives_tests server_tests)
    foreach(folder parser directives server)
      if(t MATCHES "^${folder}_")
        add_test(NAME asan_${t} COMMAND ${BALANCERD_SAN_DIR}/${folder}/${t})
        set_tests_properties(asan_${t} PROPERTIES TIMEOUT 600 LABELS sanitizer
                             ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1;UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1")
      endif()
    endforeach()
  endforeach()
  # server/<component>/tests programs (see server/CMakeLists.txt)
  file(GLOB comp_test_dirs LIST_DIRECTORIES true ${PROJECT_SOURCE_DIR}/server/*/tests)
  foreach(dir ${comp_test_dirs})
    get_filename_component(parent ${dir} DIRECTORY)
    get_filename_component(comp ${parent} NAME)
    add_test(NAME asan_${comp}_tests COMMAND ${BALANCERD_SAN_DIR}/server/${comp}_tests)
    set_tests_properties(asan_${comp}_tests PROPERTIES TIMEOUT 600 LABELS sanitizer
                         ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1;UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1")
  endforeach()
  foreach(f parser/fuzz_parser server/fuzz_request_parser)
    get_filename_component(name ${f} NAME)
    add_test(NAME smoke_${name} COMMAND bash ${PROJECT_SOURCE_DIR}/tools/fuzz-smoke.sh ${BALANCERD_SAN_DIR}/${f}
             ${BALANCERD_FUZZ_SECONDS})
    set_tests_properties(smoke_${name} PROPERTIES TIMEOUT 300 LABELS fuzz)
  endforeach()
endif()
