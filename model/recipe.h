#pragma once
// Named training recipes (`braincam train --recipe`): the training options a recipe sets where the
// command line leaves them unset.
//   seed         the seed's schedule: 15 epochs of 32 images, Adam at 1e-3 throughout, attention
//                from epoch 3, no augmentation, the training images shuffled as they are.
//                `braincam train`'s default: no other recipe measured better (docs/real-data.md).
//   augmented    the seed's schedule with AdamW weight decay 0.01 and the online augmentation
//                flip,rotate,shift,bias,noise: the settings a screening on real scans' validation
//                data kept, tied with `seed` there and worse on the synthetic set.
// A run records its recipe's name in its options (`options.recipe`, absent for `seed`, as in
// files written before recipes had names), beside the settings themselves.
#include <utility>

#include "model/train_options.h"

namespace braincam {

inline constexpr std::pair<const char*, RecipeKind> kRecipeNames[] = {
    {"seed", RecipeKind::seed}, {"augmented", RecipeKind::augmented}};

// The options of `kind`: its epochs, batch, learning rate and schedule, warm-up, weight decay,
// early stopping, balance and augmentation; the rest as TrainOptions has them.
TrainOptions recipe_options(RecipeKind kind);

}  // namespace braincam
