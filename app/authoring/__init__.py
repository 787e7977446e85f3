"""Course authoring in the browser: courses, modules, lessons, quizzes, attachments."""
