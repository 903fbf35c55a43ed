# Installs the library, its headers and a CMake package so that find_package(activ) works.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS activ EXPORT activTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/activ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT activTargets NAMESPACE activ:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/activ)
configure_package_config_file(cmake/activConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/activConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/activ)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/activConfigVersion.cmake
                                 COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/activConfig.cmake ${PROJECT_BINARY_DIR}/activConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/activ)
