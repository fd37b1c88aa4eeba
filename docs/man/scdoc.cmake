# cmake -DSCDOC=<scdoc> -DSOURCE=<page.scd> -DOUTPUT=<page> -P scdoc.cmake
# scdoc < SOURCE > OUTPUT, through a temporary file: OUTPUT exists only if scdoc succeeded.
execute_process(COMMAND ${SCDOC}
                INPUT_FILE ${SOURCE}
                OUTPUT_FILE ${OUTPUT}.tmp
                ERROR_VARIABLE errors
                RESULT_VARIABLE failed)
if(failed)
  file(REMOVE ${OUTPUT}.tmp)
  message(FATAL_ERROR "scdoc failed on ${SOURCE}: ${errors}")
endif()
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
