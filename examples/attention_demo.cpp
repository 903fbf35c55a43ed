// Twin of the seed tutorial's MultiheadAttention example (shared/seeds/001_*.txt):
//   multihead_attn = nn.MultiheadAttention(embed_dim, num_heads)
//   query = torch.randn(seq_length, batch_size, embed_dim)  # key and value likewise
//   attn_output, attn_output_weights = multihead_attn(query, key, value)
// The tutorial leaves the sizes open; these are small ones. The shapes print as torch's do.
#include <iostream>

#include "activ/nn/attention.h"

int main() {
  const std::int64_t embed_dim = 16;
  const std::int64_t num_heads = 4;
  const std::int64_t seq_length = 5;
  const std::int64_t batch_size = 3;

  activ::nn::MultiheadAttention multihead_attn(embed_dim, num_heads);
  const activ::Tensor query = activ::randn({seq_length, batch_size, embed_dim});
  const activ::Tensor key = activ::randn({seq_length, batch_size, embed_dim});
  const activ::Tensor value = activ::randn({seq_length, batch_size, embed_dim});

  const auto [attn_output, attn_output_weights] = multihead_attn(query, key, value);
  std::cout << multihead_attn << '\n';
  std::cout << "torch.Size(" << activ::shape_str(attn_output.sizes()) << ")\n";
  std::cout << "torch.Size(" << activ::shape_str(attn_output_weights.sizes()) << ")\n";
}
