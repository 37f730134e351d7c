// Device profiles and model cards (data shared by Evaluation and MEC): filled by issue 5.
