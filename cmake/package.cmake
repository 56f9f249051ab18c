# The Debian package: `cpack -G DEB` in the build directory (or the `package` target) writes
# imgaudit_<version>_<arch>.deb holding what `cmake --install` installs, under /usr.
set(IMGAUDIT_PACKAGE_MAINTAINER "imgaudit maintainers <maintainers@imgaudit.invalid>"
    CACHE STRING "The Maintainer field of the .deb: Name <address>")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME imgaudit)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${IMGAUDIT_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "audit Amazon WorkSpaces and AppStream 2.0 images across AWS accounts")
# One string (no ';': CMake would take it for a list), lines for `dpkg -s`.
set(CPACK_PACKAGE_DESCRIPTION
    "imgaudit collects the WorkSpaces images, their sharing and the AppStream 2.0 image\n\
builders and images of many AWS accounts and regions into one snapshot, judges it\n\
against YAML rules (a built-in pack or your own) and writes JUnit XML, HTML and JSON\n\
reports, with an exit status for CI gates.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)

# Depends: dpkg-shlibdeps (dpkg-dev; CPack runs it on the files `file` says are programs) reads the
# libraries the program links and names their packages as this distribution does (libcurl4 or libcurl4t64,
# libssl3 or libssl3t64, ...). Without those tools, the same packages written out, with the names of
# Debian 12 and of later releases as alternatives.
find_program(IMGAUDIT_DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(IMGAUDIT_FILE file)
if(IMGAUDIT_DPKG_SHLIBDEPS AND IMGAUDIT_FILE)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libc6, libcurl4 | libcurl4t64, libssl3 | libssl3t64, libcjson1, libyaml-0-2, libxml2")
endif()

include(CPack)
