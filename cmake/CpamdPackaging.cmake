# Install rules and the Debian package (docs/install.md):
#   cmake --preset release && cmake --build --preset release
#   cd build/release && cpack -G DEB      ->  cpamd_<version>_<arch>.deb
# The layout is the one the binary expects: plugins in <exe dir>/../lib/cpamd/plugins.

set(CPAMD_PACKAGING_DIR "${PROJECT_SOURCE_DIR}/packaging")

install(TARGETS cpamd RUNTIME DESTINATION bin)
install(TARGETS collector-http collector-resp collector-subscribe LIBRARY DESTINATION lib/cpamd/plugins)
install(FILES "${CPAMD_PACKAGING_DIR}/systemd/cpamd.service" DESTINATION lib/systemd/system)
# Absolute: /etc is outside the /usr prefix. Listed in packaging/debian/conffiles.
install(FILES "${CPAMD_PACKAGING_DIR}/config/config.json" DESTINATION /etc/cpamd)
install(FILES README.md "${CPAMD_PACKAGING_DIR}/debian/copyright" DESTINATION share/doc/cpamd)
install(DIRECTORY docs/ DESTINATION share/doc/cpamd/docs FILES_MATCHING PATTERN "*.md")
# Examples for docs/monitoring.md: a Grafana dashboard and Prometheus alert rules.
install(FILES "${CPAMD_PACKAGING_DIR}/grafana/cpamd.json" "${CPAMD_PACKAGING_DIR}/prometheus/cpamd-rules.yml"
        DESTINATION share/doc/cpamd/examples)

set(CPACK_PACKAGE_NAME cpamd)
set(CPACK_PACKAGE_VENDOR "cpamd")
set(CPACK_PACKAGE_CONTACT "cpamd maintainers <cpamd@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "CLI Proxy API usage collector, analytics and management daemon")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # cpamd_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON) # Depends from the binaries' libraries (dpkg-shlibdeps)
# tzdata: analytics buckets by IANA zone through libdate-tz, which reads /usr/share/zoneinfo.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd, tzdata")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CPAMD_PACKAGING_DIR}/debian/conffiles" "${CPAMD_PACKAGING_DIR}/debian/postinst"
    "${CPAMD_PACKAGING_DIR}/debian/prerm" "${CPAMD_PACKAGING_DIR}/debian/postrm"
)
# cpack packages what the last build produced; it does not rebuild every target (tests, benches) first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(CPACK_GENERATOR DEB)
include(CPack)
