# tkeras-transfer's tests, included by tests/CMakeLists.txt (after the folder writer and TKERAS_PYTHON).
set(transfer_app_dir ${CMAKE_CURRENT_LIST_DIR})
set(transfer_dir ${PROJECT_BINARY_DIR}/apps/transfer)
set(transfer_expect ${PROJECT_SOURCE_DIR}/tests/apps/expect_one_line_exit.sh)

add_test(NAME "app: tkeras-transfer exits non-zero with one line for a missing backbone file"
  COMMAND ${transfer_expect} 1 $<TARGET_FILE:tkeras-transfer> --backbone ${transfer_dir}/missing.keras
          --images ${transfer_dir})

# The lesson itself needs Keras to write the backbone: it runs where the parity suite's Python
# environment (TKERAS_PYTHON) holds Keras, as the parity suite does.
execute_process(COMMAND "${TKERAS_PYTHON}" -c "import importlib.util, sys; sys.exit(any(importlib.util.find_spec(m) is None for m in ('keras', 'torch')))"
                RESULT_VARIABLE transfer_no_keras OUTPUT_QUIET ERROR_QUIET)
if(transfer_no_keras EQUAL 0 AND TARGET tkeras-write-fashion-folder)
  # Keras writes a MobileNetV2 of random weights (weights=None), without its classifier, width
  # 0.35, for 32x32 images: the graph of the ImageNet one, small enough for a test. --calibrate
  # sets its BatchNormalization statistics from random images, without which Keras's random
  # weights shrink its features to about 1e-11 and no head could learn from them.
  set(transfer_backbone ${transfer_dir}/mobilenet_v2_random.keras)
  add_test(NAME "app: Keras writes a random-weight MobileNetV2 backbone for tkeras-transfer"
    COMMAND "${TKERAS_PYTHON}" ${transfer_app_dir}/write_backbone.py ${transfer_backbone} --alpha 0.35 --size 32 --calibrate)
  set_tests_properties("app: Keras writes a random-weight MobileNetV2 backbone for tkeras-transfer" PROPERTIES
    FIXTURES_SETUP transfer_backbone TIMEOUT 120 ENVIRONMENT "KERAS_BACKEND=torch;CUDA_VISIBLE_DEVICES="
    PASS_REGULAR_EXPRESSION "wrote MobileNetV2 \\(random weights, 154 layers, output \\(None, 1, 1, 1280\\)\\)")
  # A folder of PNG and JPEG files: three classes of Fashion-MNIST (pullover, t_shirt, trouser).
  set(transfer_folder ${transfer_dir}/fashion-folder)
  add_test(NAME "app: a folder of 3 classes of PNG and JPEG files for tkeras-transfer"
    COMMAND tkeras-write-fashion-folder ${transfer_folder} 3 100)
  set_tests_properties("app: a folder of 3 classes of PNG and JPEG files for tkeras-transfer" PROPERTIES
    FIXTURES_SETUP transfer_folder TIMEOUT 120)

  # One epoch per phase. The head alone trains first: GlobalAveragePooling2D's 1280 features to 3
  # logits (3,843 weights); then the top 5 layers of the base (block_16_project, its
  # BatchNormalization, Conv_1, its BatchNormalization, out_relu) are unfrozen but for the two
  # BatchNormalization layers: 37,632 + 143,360 more weights. The head's epoch changes none of the
  # base's weights, moving statistics included (frozen, and called with training=false); the
  # fine-tuning epoch changes the two convolutions' kernels and nothing else.
  set(name "app: tkeras-transfer trains a head on a frozen Keras MobileNetV2, then fine-tunes its top layers")
  add_test(NAME "${name}"
    COMMAND tkeras-transfer --backbone ${transfer_backbone} --images ${transfer_folder} --head-epochs 1
            --fine-epochs 1 --unfreeze 5 --batch-size 16 --verbose 2)
  set_tests_properties("${name}" PROPERTIES FIXTURES_REQUIRED "transfer_backbone;transfer_folder" TIMEOUT 300
    PASS_REGULAR_EXPRESSION "cut at out_relu with output \\(None, 1, 1, 1280\\).*classes: pullover, t_shirt, trouser.*1\\. training the head on the frozen base: 3843 trainable weights.*head on the frozen base: validation accuracy 0\\.[0-9]+ after 1 epochs\nlayers of the base whose weights changed: none\n.*2\\. fine-tuning the top 5 layers of the base from block_16_project \\(2 of them with weights, BatchNormalization frozen\\): 184835 trainable weights, learning rate 0\\.0001.*fine-tuned: validation accuracy 0\\.[0-9]+ after 1 more epochs[^\n]*\nlayers of the base whose weights changed: block_16_project, Conv_1\n")

  set(name "app: tkeras-transfer exits non-zero with one line for a layer the backbone lacks")
  add_test(NAME "${name}"
    COMMAND ${transfer_expect} 1 $<TARGET_FILE:tkeras-transfer> --backbone ${transfer_backbone}
            --images ${transfer_folder} --cut block_99_project)
  set_tests_properties("${name}" PROPERTIES FIXTURES_REQUIRED "transfer_backbone;transfer_folder"
    PASS_REGULAR_EXPRESSION "--cut block_99_project: the backbone \"[^\"]+\" has no layer of that name"
    FAIL_REGULAR_EXPRESSION "expected exit code")
  set(name "app: tkeras-transfer exits non-zero with one line for a folder without classes")
  add_test(NAME "${name}"
    COMMAND ${transfer_expect} 1 $<TARGET_FILE:tkeras-transfer> --backbone ${transfer_backbone}
            --images ${transfer_app_dir})
  set_tests_properties("${name}" PROPERTIES FIXTURES_REQUIRED transfer_backbone)
else()
  message(STATUS "tkeras: tkeras-transfer's lesson is not tested: ${TKERAS_PYTHON} lacks keras or torch")
endif()
