# A stand-in for Debian's LibTorch 1.13 package: only its version matters, to the test that
# configuring tkeras against it stops with a message naming what was found and what is needed.
set(Torch_FOUND TRUE)
set(TORCH_LIBRARIES torch)
