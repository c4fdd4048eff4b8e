# Shared compile settings for every longtail target: one place for warnings.
function(longtail_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(LONGTAIL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
