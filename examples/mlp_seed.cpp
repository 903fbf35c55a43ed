// Twin of the seed tutorial's multilayer perceptron (shared/seeds/003_*.txt): trains
// Sequential(Linear(1000, 100), ReLU(), Linear(100, 10)) with MSELoss(reduction='sum') and
// SGD(lr=1e-4) for 300 epochs and prints the loss every 50 epochs. The data and the initial
// weights are torch's (tests/golden/mlp/mlp_seed.safetensors), so the losses match torch's.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "mlp_seed_training.h"

int main(int argc, char** argv) {
  const std::string data = argc > 1 ? argv[1] : ACTIV_SOURCE_DIR "/tests/golden/mlp/mlp_seed.safetensors";
  const bool terminal = isatty(STDOUT_FILENO) != 0;
  std::cout << activ::nn::Sequential(std::make_shared<activ::nn::Linear>(1000, 100),
                                     std::make_shared<activ::nn::ReLU>(),
                                     std::make_shared<activ::nn::Linear>(100, 10))
            << '\n';
  const auto start = std::chrono::steady_clock::now();
  try {
    activ::examples::train_seed_mlp(data, [&](int epoch, double loss) {
      if (terminal) std::printf("\r[%-30s] %3d/300", std::string(epoch / 10, '#').c_str(), epoch);
      if (epoch % 50 == 0) std::printf("%sepoch %3d  loss %.4g\n", terminal ? "\r" : "", epoch, loss);
      std::fflush(stdout);
    });
  } catch (const activ::Error& e) {
    std::cerr << "mlp_seed: " << e.what() << '\n';
    return 1;
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("trained 300 epochs in %.0f ms\n", ms);
}
