# Shared compile settings for every longtail target: one place for warnings.
function(longtail_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(LONGTAIL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# longtail_add_protos(TARGET a.proto b.proto ...)
# Compiles .proto files with the repository root as the only import path, so a proto's name is its
# repo path ("pipeline/proto/run.proto"), imports are written that way, and generated headers are
# included as "pipeline/proto/run.pb.h" from the build tree. Callable from a subfolder of the
# target's folder: a custom command's outputs get a build rule only in the directory that declares
# it, so a custom target orders protoc before the target's sources.
function(longtail_add_protos target)
  foreach(proto ${ARGN})
    get_filename_component(absolute ${proto} ABSOLUTE)
    file(RELATIVE_PATH relative ${PROJECT_SOURCE_DIR} ${absolute})
    string(REGEX REPLACE "\\.proto$" "" stem ${relative})
    set(outputs ${PROJECT_BINARY_DIR}/${stem}.pb.h ${PROJECT_BINARY_DIR}/${stem}.pb.cc)
    add_custom_command(
      OUTPUT ${outputs}
      COMMAND protobuf::protoc --cpp_out=${PROJECT_BINARY_DIR} -I ${PROJECT_SOURCE_DIR} ${absolute}
      DEPENDS ${absolute} protobuf::protoc
      COMMENT "protoc ${relative}"
      VERBATIM)
    string(MAKE_C_IDENTIFIER ${stem} id)
    add_custom_target(protoc_${id} DEPENDS ${outputs})
    add_dependencies(${target} protoc_${id})
    target_sources(${target} PRIVATE ${PROJECT_BINARY_DIR}/${stem}.pb.cc)
  endforeach()
  target_include_directories(${target} PUBLIC ${PROJECT_BINARY_DIR})
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf)
endfunction()
