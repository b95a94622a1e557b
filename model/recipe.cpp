#include "model/recipe.h"

namespace braincam {

TrainOptions recipe_options(RecipeKind kind) {
  TrainOptions o;  // the seed's
  o.recipe = kind;
  if (kind == RecipeKind::seed) return o;
  // augmented: the settings the screening on the validation split of the seed's regime kept
  // (docs/real-data.md, "Choosing the recipe").
  o.augment = data::parse_online_augment("flip,rotate,shift,bias,noise");
  o.weight_decay = 0.01;
  return o;
}

}  // namespace braincam
