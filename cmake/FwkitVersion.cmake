# Generates build_info.cpp (version, git hash and dirty flag, library
# versions) at build time, rewriting it only when its content changes.
set(FWKIT_BUILD_INFO_CPP ${CMAKE_BINARY_DIR}/generated/build_info.cpp)
add_custom_target(fwkit_build_info ALL
  COMMAND ${CMAKE_COMMAND}
          -DSOURCE_DIR=${CMAKE_SOURCE_DIR}
          -DOUTPUT=${FWKIT_BUILD_INFO_CPP}
          -DFWKIT_VERSION=${PROJECT_VERSION}
          -DEIGEN_VERSION=${Eigen3_VERSION}
          -DSUNDIALS_VERSION=${SUNDIALS_VERSION}
          -DBOOST_VERSION=${Boost_VERSION}
          -DHDF5_VERSION=${HDF5_VERSION}
          -P ${CMAKE_SOURCE_DIR}/cmake/WriteBuildInfo.cmake
  BYPRODUCTS ${FWKIT_BUILD_INFO_CPP}
  COMMENT "Recording build information")
