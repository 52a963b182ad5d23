"""The Class page's words."""

INTRO = (
    "A teacher opens a class here and shows its code, link or QR code on the projector; students join "
    "anonymously (no names are stored). In a class, every “Before you look” question pools the class's "
    "answers: the teacher sees how many answered and reveals the answer for everyone at once, beside "
    "the class's own spread of answers. The class can also train one network each and see, together, "
    "how many runs of one recipe get stuck."
)
TEACH = "Open a class and project its code. You become its teacher in this browser tab."
JOIN = "Type the code your teacher shows (6 letters and digits)."
TEACHER_LINK = (
    "Your teacher link: only it can reveal answers, move the class or close it. Keep it private — "
    "open it on another device to teach from there. It is not in the address bar on purpose."
)
LAB = (
    "Every student trains the notes' network (2 inputs, 2 sigmoid hidden neurons, 1 output, binary "
    "cross-entropy, learning rate {lr:g}, {epochs:,} epochs) from their own random start: the seed comes "
    "from the class code and the order in which they joined. Same recipe, different starts — how many "
    "get stuck?"
)
STUCK = (
    "A stuck run ends with a loss near ln 2 ≈ 0.69 or above a solved run's: its hidden neurons started "
    "in a place from which gradient descent does not find XOR (see Training and Loss landscape)."
)
CHECKPOINTS = (
    "The “Before you look” questions on every page are the class's checkpoints. Open a chapter in presenter "
    "mode: under each question you see how many students answered and a Reveal button."
)


def lab_result(seed: int, epochs: int | None, stuck: bool, diverged: bool) -> str:
    if epochs is not None:
        return f"Your network (seed {seed:,}) solved XOR after {epochs:,} epochs."
    if diverged:
        return f"Your network (seed {seed:,}) blew up: its numbers stopped being finite."
    return f"Your network (seed {seed:,}) got stuck: it did not solve XOR in the epochs it had."


def class_summary(n: int, solved: list[int], stuck: int, median: float | None) -> str:
    if n == 0:
        return "No runs yet: they appear here as students train."
    text = f"{n} run{'s' if n != 1 else ''} so far: {len(solved)} solved, {stuck} stuck"
    if solved:
        text += f"; solved runs needed {min(solved):,} to {max(solved):,} epochs (median {median:,.0f})"
    return text + "."
