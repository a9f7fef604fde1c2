package payments

// Test files are not the code that writes to the database: never read.

//enumwatch:enum public.test_only
type testOnly string

const testOnlyA testOnly = "a"
