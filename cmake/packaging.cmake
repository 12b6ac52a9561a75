# A Debian package of everything `cmake --install` installs:
#   cmake --build build && (cd build && cpack -G DEB)   ->  tracelm_<version>_amd64.deb
# Installed under /usr, so the extension lands in /usr/lib where dlopen
# looks: `sqlite3 t.db '.load tracelm'` works with no path.  Depends: is
# worked out by dpkg-shlibdeps from the binaries (dpkg-dev).
set(CPACK_PACKAGE_NAME tracelm)
set(CPACK_PACKAGE_VENDOR "TraceLM")
set(CPACK_PACKAGE_CONTACT "TraceLM developers <tracelm@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "local-first tracer and profiler for LLM pipelines (library, SQLite extension, CLI)")
set(CPACK_PACKAGE_DESCRIPTION
    "libtracelm records spans into SQLite; the tracelm SQLite extension analyses them in SQL; the tracelm command runs the reports.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
# The -dev packages the installed headers, CMake and pkg-config files name.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libsqlite3-dev, libcjson-dev, libcsv-dev, sqlite3, python3")
set(CPACK_GENERATOR DEB)
include(CPack)
