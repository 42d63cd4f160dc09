"""The phrases that show what a customer wants, in Chinese and English. `intents`
weighs them; they live apart so the rules read as rules and the words as words.

All patterns read folded text (lowercase, ASCII punctuation, Chinese counting
numerals as digits; see `language`).
"""

from __future__ import annotations

import re

# Health worries: any of these hands the conversation to a person with a careful reply.
MEDICAL = re.compile(
    r"呕吐|吐了|在吐|一直吐|老吐|总吐|狂吐|吐黄水|吐白沫|吐泡沫|吐血|吐奶|干呕|便血|拉血|尿血|血便|带血|出血|流血|有血|血丝|"
    r"[便尿屎粪].{0,4}血|拉肚子|腹泻|拉稀|稀便|软便|水样便|便秘|拉不出|尿不出|发烧|发热|低烧|高烧|烧到|体温|"
    r"不吃东西|不吃饭|不吃粮|不肯吃|不怎么吃|吃不下|没食欲|食欲不|不喝水|不喝奶|不吃奶|没精神|精神不好|精神差|没力气|蔫|无精打采|"
    r"抽搐|抽筋|癫痫|痉挛|发抖|过敏|红疹|起疹|疹子|湿疹|皮疹|荨麻疹|痱子|红肿|肿了|肿起|化脓|流脓|发炎|感染|溃烂|"
    r"伤口|受伤|骨折|瘸|咳嗽|打喷嚏|流鼻涕|喘不|呼吸困难|呼吸急促|中毒|误食|吞了|吃了巧克力|黄疸|呛奶|哭闹不止|一直哭|"
    r"昏迷|晕倒|休克|生病|病了|看病|不舒服|难受|肚子疼|肚子痛|很疼|好疼|疼得|一直疼|疼痛|叫疼|喊疼|痛得|很痛|好痛|"
    r"绝育|手术|术后|拆线|眼睛红|眼睛发|耳朵发|耳朵臭|一直挠|挠个不停|掉毛严重|大量掉毛|秃了|掉了一块|"
    r"天没拉|没拉便|没大便|没有大便|没排便|没尿|不尿|尿不|尿少|肿|疼|痛|痒|发红|一直红|红红的|发麻|麻木|刺痛|红点|疙瘩|起包|"
    r"水泡|脓包|破皮|剪破|剪伤|划伤|割伤|烫伤|咬伤|被咬|淤青|流眼泪|分泌物|恶心|头晕|站不起|起不来|走不动|趴着不动|不正常|"
    r"\bvomit\w*|\bthrow(?:ing|s)?\s+up|\bthrew\s+up|\bpuk(?:e|ed|ing)\b|\bsick\b(?!\s+of)|\bunwell\b|\bill\b(?=\s*[,.!?]|\s*$)|"
    r"\bblood\w*|\bbleed\w*|\bdiarr?h?o?ea\b|\bdiarrhea\b|runny\s+(?:poo|stool)|loose\s+(?:stool|poo)|"
    r"\bfever\w*|(?:has|have|got|running|with)\s+a\s+(?:high\s+)?temperature|high\s+temp\w*|"
    r"not\s+eating|isn'?t\s+eating|hasn'?t\s+(?:eaten|been\s+eating)|won'?t\s+eat|stopped\s+eating|not\s+drinking|"
    r"refus\w*\s+(?:to\s+eat|food|to\s+drink|(?:his|her|the)\s+(?:bottle|milk|food))|off\s+(?:his|her|their|its)\s+food|"
    r"no\s+appetite|loss\s+of\s+appetite|letharg\w*|no\s+energy|seizure\w*|convuls\w*|\ballerg\w*|\bhives\b|\brash\w*|"
    r"\bswell\w*|\bswollen\b|\binfect\w*|\bpus\b|\blimp\w*|\binjur\w*|\bwound\w*|\bcough\w*|\bsneez\w*|\bpoison\w*|"
    r"\bate\s+(?:a\s+|some\s+)?(?:chocolate|grapes?|raisins?|xylitol|a\s+sock)|\bswallow\w*|\bjaundice\w*|\bconstipat\w*|"
    r"trouble\s+breathing|breathing\s+(?:hard|fast|heavily|problems?|weird)|can'?t\s+breathe|\bchok\w*|\bcollaps\w*|"
    r"\beczema\b|\bhurt(?:ing|s)?\b|\bpain(?:ful)?\b|\baches?\b|\bshaking\b|\btrembl\w*|\bdehydrat\w*|"
    r"spit(?:ting)?\s+up|\bneuter\w*|\bspay\w*|\bstitches\b|\bsurgery\b|\bitch\w*|scratch\w*\s+(?:a\s+lot|constantly|nonstop)|"
    r"\bdischarge\b|keeps?\s+crying|won'?t\s+stop\s+crying|\bvet\b|\bdoctor\b|\bpaediatrician\b|\bpediatrician\b|\bunconscious\b|"
    r"not\s+(?:feeling\s+)?well|under\s+the\s+weather|\bpoorly\b|\bnumb\w*|\btingl\w*|\bthrobb\w*|\bsore\b|\bblister\w*|"
    r"\blump\b|\bbruis\w*|\bburn(?:t|ed)?\b(?!\s+(?:orange|out))|\bbitten\b|\bnicked\b|\bcut\s+(?:my|his|her|their|the)\s+\w+|"
    r"hasn'?t\s+(?:peed|pooed|pooped|weed)|can'?t\s+(?:pee|poo|poop|wee)|\bstraining\b|breathing\s+(?:\w+\s+)?(?:fast|hard|heavy|heavily)|"
    r"\bpanting\b|(?:won'?t|can'?t|doesn'?t)\s+(?:get\s+up|stand|walk|move)|\bwobbl\w*|scratch\w*.{0,25}(?:nonstop|constantly|a\s+lot|all\s+the\s+time)|"
    r"\bnause\w*|\bdizz\w*|\bfaint\w*|\bwheez\w*|\bsmell\w*\s+(?:bad|weird|funny|off)|\bsmelly\s+(?:ears?|eyes?|discharge)|"
    # swallowed something, drinks or pees far more than usual, a fall, choking, inflammation, fungus
    r"吃了.{0,4}(?:线|绳|袜子|骨头|塑料|电池|纽扣|硬币|玩具|葡萄|提子|巧克力|木糖醇|洋葱|老鼠药|药)|误吞|吞下|"
    r"喝水(?:特别|非常|很|超)?多|狂喝水|尿(?:特别|非常|很)?多|尿频|到处尿|"
    r"摔(?:了|倒|下|伤|到)|跌(?:倒|下|伤)|磕(?:到|破|伤)|撞到(?:了)?头|掉下(?:床|来)|"
    r"呛到|呛着|噎到|噎住|发紫|发青|(?<!炎)炎(?!热|夏|炎)|真菌|霉菌|灰指甲|甲癣|癣|长疣|"
    r"\bdrinking\s+(?:a\s+lot|loads|lots|so\s+much|more)|\bpee(?:ing|s)?\s+(?:everywhere|a\s+lot|loads|constantly)|\bthirsty\b|"
    r"\bfell\s+(?:off|down|out|over|from)|\b(?:hit|bumped|banged)\s+(?:his|her|their|its|my)\s+head|bump\s+on\s+(?:his|her|the|my)\s+head|"
    r"\bfung\w*|\bringworm\b|\bwarts?\b|\binflam\w*"
)
# A body part said together with something wrong with it: "耳朵有点臭", "指尖发麻",
# "her eyes are red", "便便是绿色的", "is his poop normal?". For hands and feet a colour
# is what gets painted on them ("red on my toes"), so only a change that is no colour
# counts there; nails themselves are never a body part here.
BODY = re.compile(
    r"眼睛|眼皮|耳朵|皮肤|屁股|肛门|爪子|脚掌|肉垫|(?<!洗)嘴巴|嘴(?!套)|脸|肚子|便便|大便|屎|(?<!纸)尿(?!裤|不湿|布|垫|片)|呼吸|"
    r"\b(?:eyes?|eyelids?|ears?|skin|paws?|pads?|mouth|gums?|face|tummy|belly|poop|poo|stool|pee|urine|wee|breath\w*)\b"
)
HANDS = re.compile(
    r"手指|指尖|脚趾|甲沟|指甲边|指甲下|甲下|甲床|\b(?:fingers?|fingertips?|toes?|cuticles?|nail\s*beds?)\b|under\s+(?:my|the)\s+nails?"
)
ABNORMAL = re.compile(
    r"肿|臭|痒|麻|烫|稀|水样|奇怪|不对|异常|正常|发绿|变绿|发黑|变黑|变紫|"
    r"\b(?:swollen|smell\w*|stink\w*|itchy|numb|hot|watery|runny|weird|strange|normal|odd)\b|"
    r"\bturn(?:ed|ing|s)?\s+(?:green|black|purple|blue)\b"
)
COLOURS = re.compile(r"红|黑|绿|黄|白|紫|青|颜色|\b(?:red|black|green|yellow|white|purple|blue|colou?r)\b")
NEAR = 12
# Reassurances that only sound like a worry.
NOT_MEDICAL = re.compile(
    r"hypoallergenic|低敏|防过敏|\bno\s+pain\b|painless|不会疼|会不会疼|会疼吗|会不会痛|会痛吗|痛吗|疼吗|不疼|不痛|怕疼|怕痛|心疼|"
    r"疼爱|does\s+it\s+hurt|will\s+it\s+hurt|won'?t\s+hurt"
)

HUMAN = re.compile(
    r"转人工|人工|真人|活人|店员|店长|工作人员|负责人|经理|找老板|叫老板|你们老板|找个人|来个人|找人|叫人|打电话给我|给我打电话|"
    r"给我回电|回个电话|回电话|机器人|跟人说|和人说|跟人聊|投诉|差评|不满意|要求退款|我要退款|退钱给我|"
    r"找.{0,12}(?:小姐姐|小哥哥|师傅|技师|美甲师|美容师|美睫师|老师|阿姨)|"
    r"\bhuman\b(?!\s+(?:shampoo|food|grade|hair|products?|nail))|real\s+person|actual\s+person|live\s+(?:agent|person|chat)|"
    r"\bagent\b|representative|\boperator\b|\bmanager\b|\bbot\b|\brobot\b|\bautomated\b|\bmachine\b|"
    r"(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|the\s+|your\s+|some\s+|an?\s+)?(?:human|person|someone|somebody|staff|"
    r"owner|real|actual|groomer|stylist|technician|people|anyone|employee|whoever)|"
    r"\bi\s+want\s+(?:a\s+|my\s+)?(?:refund|money\s+back)|\bgive\s+me\s+(?:a\s+refund|my\s+money\s+back)|"
    r"\b(?:not\s+happy|unhappy|very\s+disappointed)\s+with\b|"
    r"(?:call|ring|phone)\s+me\b|give\s+me\s+a\s+(?:call|ring)|\bcomplain\w*|\bput\s+me\s+through\b|"
    r"\b(?:connect|transfer)\s+me\b|\bsomeone\s+(?:i\s+can|to)\s+(?:talk|speak|chat)"
)

RESCHEDULE = re.compile(
    r"改(?:个|一下|下)?(?:时间|日期|约|期|天到|到|成|为|在)|换(?:个|一下)?(?:时间|日期|一天|天|到|成)|调(?:整|一下)?(?:时间|到)|"
    r"推迟|延后|延期|往后推|往后挪|挪(?:到|一下|个)|提前到|提前一点|提前一下|提前半|改期|重新约|另约|能改|能不能改|可以改|改一改|"
    r"\breschedul\w*|\bmove\s+(?:my|the|our|it|his|her|\w+'s)\b|\bmov(?:e|ed|ing)\b.{0,40}\bto\b|\bpush\b.{0,40}\b(?:to|back)\b|"
    r"\bchange\s+(?:my|the|our)\s+(?:appointment|booking|time|slot|date|reservation)|\bchange\s+(?:it|the\s+time|time)\s+to\b|"
    r"\bpush\s+(?:it\s+|my\s+\w+\s+|the\s+\w+\s+)?(?:back|later)|\bpostpon\w*|\bbring\s+(?:it|my\s+\w+)\s+forward|"
    r"\b(?:a\s+)?different\s+(?:time|day|date)\b|\bswap\s+(?:to|my)\b|\bearlier\s+(?:time|slot)|\blater\s+(?:time|slot)"
)
CANCEL = re.compile(
    r"取消|不去了|去不了|来不了|不来了|过不去|过不来|退掉|退订|撤销|不约了|不预约了|约不了|"
    r"\bcancel\w*|\bcall\s+(?:it\s+)?off\b|can'?t\s+make\s+it|cannot\s+make\s+it|won'?t\s+make\s+it|"
    r"won'?t\s+be\s+able\s+to\s+(?:come|make\s+it)|not\s+(?:going\s+to|gonna)\s+make\s+it|unable\s+to\s+(?:come|attend|make\s+it)|"
    r"can'?t\s+come\b|drop\s+(?:my|the)\s+(?:appointment|booking)"
)
POLICY = re.compile(
    r"政策|规定|手续费|扣钱|违约金|收费|要钱|扣费|提前多久|多久之前|多久以前|退钱|怎么取消|如何取消|怎么改|规则|"
    r"\bpolicy\b|\bfees?\b|\bcharge\w*|\bhow\s+(?:do|can)\s+i\b|\bwhat\s+(?:if|happens)|\bhow\s+(?:far|long)\s+(?:in\s+advance|before)|"
    r"\brefund\w*|\bdeadline\b|\bnotice\b"
)

# Asking to come: a time, a place in the queue.
BOOK = re.compile(
    r"预约|预订|预定|(?<![大约])约(?:个|一下|下|一个|了|在|周|明|后|今|下周|星期|\d)|订(?:个|一个|位)|想(?:给|帮|带|让|约|订|来|过来|去)|"
    r"安排|排(?:个|一下)|有(?:空|位|位置|空位|档期)|还有位|空档|帮我(?:留|约|订|排)|几点(?:可以|能)|什么时候(?:有空|可以|能)|"
    r"我要(?:洗|做|剪|寄养|给|约|订|带)|想(?:洗|做|剪|寄养)|要(?:做|洗|剪)|"
    r"\bbook\w*|\bappointment\b|\breserv\w*|\bschedule\b|\bslots?\b|\bavailab\w*|\bopenings?\b(?!\s+(?:times?|hours?))|\bspots?\b|"
    r"(?:i'?d|i\s+would|we'?d|i|we)\s+(?:like|love|want|wanna|need)\s+(?:to\s+(?:get|book|have|come|bring|do|make|drop)|a\s|an\s|my\s|some\s)|"
    r"\bfit\s+(?:me|us|him|her)\s+in|\bsqueeze\s+(?:me|us|him|her)\s+in|(?:are|is)\s+(?:you|there)\s+(?:free|space|room)|"
    r"\bany\s+(?:time|room|space|chance)"
)
# Could be asking to come or asking whether the shop does it ("能给兔子洗澡吗"):
# a booking only with a time, a question otherwise.
MAYBE_BOOK = re.compile(
    r"能(?:来|过来|去)|可以(?:来|过来|去)|带.{0,8}(?:过来|过去|来)|来(?:洗|剪|做|寄养)|过来(?:洗|剪|做)|送.{0,6}(?:过来|来)|"
    r"给.{1,8}(?:洗澡|洗|剪|做|美容|寄养|理发|游泳|按摩)|"
    r"\bcome\s+in\b|\bbring\s+(?:him|her|them|my|our|in|over)\b|\bdrop\s+(?:him|her|them|my|off)\b|"
    r"can\s+(?:i|we)\s+(?:get|have|come|bring|do|make)\b|\bget\s+(?:my|him|her|a|an)\s+\w+"
)
# Asking what the shop's hours are, even when a day is said ("周末几点关门").
HOURS = re.compile(
    r"营业|开门|关门|开到几点|几点下班|打烊|休息吗|上班吗|开吗|\bopen(?:ing)?\b|\bclos(?:e|ing|ed)\b"
)
BOOKING_PROCESS = re.compile(
    r"怎么预约|如何预约|预约流程|需要预约吗|要预约吗|要不要预约|必须预约|提前预约|提前多久|可以线上|在哪预约|怎么约|不预约|直接过来|直接来|"
    r"\bhow\s+(?:do|can|to)\s+(?:i\s+|we\s+)?(?:book|make\s+(?:a|an)\s+(?:booking|appointment)|reserve)|"
    r"\bdo\s+(?:i|we)\s+need\s+(?:to\s+book|an?\s+(?:appointment|booking))|\bhow\s+far\s+in\s+advance|\bwalk[\s-]?ins?\b"
)
QUESTION = re.compile(
    r"[?]|吗|么|多少|几点|几个|几岁|几[天次度周月年号]|多大|多重|多高|多久|多长|是否|能否|怎么|怎样|如何|哪|什么|有没有|能不能|可不可以|是不是|会不会|需不需要|请问|想问|问一下|咨询|"
    r"发我|发一下|告诉我|说一下|介绍一下|\bsend\s+me\b|\btell\s+me\b|\bshow\s+me\b|\blet\s+me\s+know\b|\bwhat'?s\b|"
    r"^(?:what|when|where|how|do|does|did|is|are|can|could|will|would|should|which|who|why|any)\b|"
    r"\b(?:how\s+much|how\s+long|how\s+many|what\s+time|do\s+you|does\s+it|is\s+it|is\s+there|are\s+you|can\s+i|can\s+you|do\s+i)\b"
)

# Short replies to options the assistant offered.
CONFIRM_WORDS = frozenset(
    """好 好的 好滴 好嘞 好哒 好呀 好啊 好吧 好好 嗯 嗯嗯 恩 恩恩 可以 可以的 可以啊 可以呀 行 行的 行啊 没问题 对 对的 是的 是
    确定 确认 就这个 就它 就这样 定了 就这么定了 那就这样 那就这个 成 妥 妥了 没毛病 好的呢 好的好的 可以可以 好的没问题
    就这个吧 就这样吧 那就这样吧 那就这个吧 可以的呢 没问题的 就这个时间 这个时间 这个时间可以 这个时间吧 这个可以
    ok okk okay okey k kk yes yep yeah yup ya sure perfect great fine confirm confirmed deal lovely brilliant cool
    alright good""".split()
) | frozenset(
    {"sounds good", "that works", "works for me", "book it", "do it", "go ahead", "all right", "all good", "let's do it",
     "lets do it", "that one", "yes please", "sure thing", "sounds great", "that's fine", "thats fine", "ok great",
     "okay sure", "ok sure", "yes that works", "yep that works", "yes that's fine", "yes book it", "ok book it",
     "perfect book it", "great book it", "no problem", "no worries"}
)  # fmt: skip
# A yes with what to do: "yes go ahead and book that", "可以 就约这个".
CONFIRM_PHRASE = re.compile(
    r"^(?:yes|yep|yeah|ok|okay|sure|perfect|great|好的?|可以|行|嗯+)?\W*"
    r"(?:(?:please\s+)?(?:go\s+ahead(?:\s+and\s+book(?:\s+(?:it|that|that\s+one))?)?|book\s+(?:it|that|that\s+one|me\s+in)|lock\s+it\s+in)"
    r"|就?(?:约|订|定|要|选)(?:这个|这个时间|它|那个)吧?)\W*$"
)
# Turning down what was offered (searched for in short messages only).
DECLINE = re.compile(
    r"不用了|不需要了?|不要了|算了|^不了|不了[,，\s]|都不行|都不合适|不合适|都不太行|没空|时间不行|不太行|不方便|再说吧|"
    r"下次吧|先不了|暂时不用|暂时不需要|\bno\b|\bnope\b|\bnah\b|none\s+of\s+(?:them|those|these)|\bneither\b|"
    r"doesn'?t\s+work|don'?t\s+work|not\s+(?:good|great|ideal)\s+for\s+me|can'?t\s+do\s+(?:those|any|that)|"
    r"maybe\s+(?:later|next\s+time)|i'?ll\s+pass|not\s+now|never\s*mind|\bnvm\b"
)
ORDINAL = re.compile(
    r"第\s*(?P<zh>\d)\s*(?:个|种|场|项)?|选\s*(?P<pick>\d)|(?<![\d:])(?P<lone>[123])\s*(?:号选项|号那个|号吧)|"
    r"\boption\s*#?\s*(?P<opt>\d)|#\s*(?P<hash>\d)|\bnumber\s*(?P<num>\d)\b|^(?P<bare>[123])\W*$|"
    r"\b(?P<word>first|second|third|1st|2nd|3rd|last)\s+(?:one|option|slot|time|choice)\b|"
    r"^(?:the\s+)?(?P<alone>first|second|third|1st|2nd|3rd|last)$|(?P<zhlast>最后一个|最后那个)"
)
_ORDINAL_WORDS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "last": -1}

LINKING = frozenset("that's thats that it is it's sounds looks works me for this 那 那就 就".split())
# Yes words strong enough to stay a yes with thanks after them ("yes that's perfect thank you");
# a bare 好的 / ok with thanks is a thank-you that closes the talk.
STRONG_YES = frozenset(
    "yes yep yeah yup sure perfect confirm confirmed 确定 确认 可以 可以的 就这个 就这样 定了 没问题 行 deal".split()
)
GREETING = re.compile(
    r"^\s*(?:你好|您好|你们好|哈喽|嗨|在吗|在不在|有人吗|在么|在嘛|早安|早上好|上午好|下午好|晚上好|亲|老板在吗|老板|"
    r"(?:(?:hi+|hel+o+|hey+|hiya|hallo|yo)(?:\s+there)?|good\s+morning|good\s+afternoon|good\s+evening|morning|anyone\s+there|is\s+anyone\s+there)(?![a-z]))"
)
GREETING_WORDS = re.compile(
    r"你好|您好|你们好|哈喽|嗨|在吗|在不在|有人吗|在么|在嘛|早安|早上好|上午好|下午好|晚上好|"
    r"\b(?:hi+|hel+o+|hey+|hiya|hallo|yo|good\s+(?:morning|afternoon|evening))\b(?:\s+there\b)?"
)
THANKS = re.compile(r"谢谢|多谢|感谢|谢啦|谢了|辛苦了|thx|thanks|thank you|\bty\b|cheers|appreciate")
FILLER = re.compile(
    r"你好|您好|你们好|哈喽|嗨|在吗|亲|老板|请问|麻烦|谢谢|多谢|感谢|辛苦了|啦|呀|哈|呢|哦|噢|吧|嘛|啊|呐|~|"
    r"\b(?:hi|hello|hey|please|pls|plz|thanks|thank you|thx|ty|cheers|so|um|uh|oh|well|hiya)\b|[^\w\s:']|(?<![a-z])'|'(?![a-z])"
)


def ordinal(folded: str) -> int | None:
    """The option picked: 第二个 → 2, "the 3rd one" → 3, "last" → -1 (counted from the end)."""
    match = ORDINAL.search(folded)
    if match is None:
        return None
    if match["zhlast"]:
        return -1
    word = match["word"] or match["alone"]
    if word:
        return _ORDINAL_WORDS[word]
    digits = (match[g] for g in ("zh", "pick", "lone", "opt", "hash", "num", "bare"))
    digit = int(next(d for d in digits if d))
    return digit if digit >= 1 else None
