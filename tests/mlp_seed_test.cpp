// The seed tutorials' perceptron trained from torch's initial weights and data gives torch's
// losses (tools/gen_mlp_reference.py) to 4 significant digits, and Module save/load round-trips.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../examples/mlp_seed_training.h"

namespace activ {
namespace {

const std::string kDir = ACTIV_TEST_DATA_DIR "/mlp";

TEST(SeedMlp, LossesMatchTorchToFourSignificantDigits) {
  std::ifstream file(kDir + "/mlp_seed_losses.json");
  const auto expected = nlohmann::json::parse(file)["losses"];
  const auto losses = examples::train_seed_mlp(kDir + "/mlp_seed.safetensors");
  ASSERT_EQ(losses.size(), expected.size());
  for (std::size_t i = 0; i < losses.size(); ++i) {
    EXPECT_EQ(losses[i].epoch, expected[i]["epoch"].get<int>());
    const double torch_loss = expected[i]["loss"].get<double>();
    EXPECT_NEAR(losses[i].loss, torch_loss, 5e-4 * torch_loss) << "epoch " << losses[i].epoch;
  }
}

TEST(SeedMlp, WeightsTrainedInTorchGiveTorchsOutput) {
  nn::Sequential model(std::make_shared<nn::Linear>(1000, 100), std::make_shared<nn::ReLU>(),
                       std::make_shared<nn::Linear>(100, 10));
  nn::StateDict weights;
  Tensor expected;
  for (auto& [name, tensor] : load_safetensors(kDir + "/mlp_seed_trained.safetensors")) {
    if (name == "output") expected = tensor;
    else weights.emplace_back(name, tensor);
  }
  model.load_state_dict(weights);
  Tensor x;
  for (auto& [name, tensor] : load_safetensors(kDir + "/mlp_seed.safetensors")) {
    if (name == "x") x = tensor;
  }
  ASSERT_TRUE(expected.defined() && x.defined());
  EXPECT_TRUE(allclose(model(x), expected, 1e-5, 1e-5));
}

TEST(SeedMlp, SaveAndLoadRoundTripTheWeights) {
  nn::Sequential a(std::make_shared<nn::Linear>(4, 3), std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(3, 2));
  nn::Sequential b(std::make_shared<nn::Linear>(4, 3), std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(3, 2));
  const std::string path = ::testing::TempDir() + "/activ_mlp_weights.safetensors";
  nn::save(a, path);
  nn::load(b, path);
  const Tensor x = randn({5, 4});
  EXPECT_TRUE(equal(a(x), b(x)));
  nn::Linear other(4, 5);
  EXPECT_THROW(nn::load(other, path), ValueError);  // the keys of another architecture
  std::remove(path.c_str());
}

}  // namespace
}  // namespace activ
