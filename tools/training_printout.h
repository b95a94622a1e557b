#pragma once
// What `braincam train` and `braincam crossval` print while a run trains: the run's settings when
// it starts, a progress bar after every batch (on a terminal), one line per epoch.
#include "model/trainer.h"

namespace braincam::tools {

// The trainer's callbacks that print it; stop_requested is left to the command.
TrainCallbacks training_printout();

}  // namespace braincam::tools
